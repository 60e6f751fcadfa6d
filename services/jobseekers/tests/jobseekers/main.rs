//! The job-seeker registry's one integration-test binary: its use cases
//! against the real store without HTTP, and its HTTP surface through the
//! real `labex-jobseekers` binary.

mod access_log;
mod http;
mod layoffs;
mod usecases;
