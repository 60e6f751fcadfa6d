//! Accepted TCP connections, tuned for request/response latency.
//!
//! Clients built on hyper's default connector (the official Rust client
//! among them) leave Nagle's algorithm on, so they hold back the DATA frames
//! of a request until the server acknowledges its HEADERS. With delayed
//! acknowledgements that costs 40 ms a call. This connection asks the kernel
//! to acknowledge at once after every read (`TCP_QUICKACK`, which the kernel
//! clears again by itself), and turns Nagle off for what the server sends.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic::transport::server::{Connected, TcpConnectInfo};

/// Appends (and batches of batch-append calls) pending on one connection
/// at once by default; past them a call is refused with `RESOURCE_EXHAUSTED`.
pub const DEFAULT_MAX_PENDING_APPENDS: usize = 1_024;

pub(crate) struct QuickAckStream {
    inner: TcpStream,
    appends: Arc<Semaphore>,
    cap: usize,
}

/// What calls know of their connection: its addresses, and its share of
/// pending appends.
#[derive(Clone)]
pub(crate) struct ConnectionInfo {
    tcp: TcpConnectInfo,
    appends: Arc<Semaphore>,
    /// The connection's cap on pending appends.
    cap: usize,
}

impl ConnectionInfo {
    /// The connection's info among a call's extensions (plain or TLS).
    pub(crate) fn of(extensions: &tonic::Extensions) -> Option<&ConnectionInfo> {
        extensions.get::<ConnectionInfo>().or_else(|| {
            extensions
                .get::<tonic::transport::server::TlsConnectInfo<ConnectionInfo>>()
                .map(|tls| tls.get_ref())
        })
    }

    /// A pending append's place on this connection, if one is free.
    pub(crate) fn pending_append(&self) -> Result<OwnedSemaphorePermit, tonic::Status> {
        self.appends.clone().try_acquire_owned().map_err(|_| {
            tonic::Status::resource_exhausted(format!(
                "more than {} appends are pending on this connection; wait for their answers",
                self.cap
            ))
        })
    }

    /// The client's address.
    pub(crate) fn remote(&self) -> Option<std::net::SocketAddr> {
        self.tcp.remote_addr()
    }
}

impl QuickAckStream {
    /// A connection on which at most `max_pending_appends` appends may be
    /// pending at once.
    pub(crate) fn new(inner: TcpStream, max_pending_appends: usize) -> io::Result<Self> {
        inner.set_nodelay(true)?;
        let stream = QuickAckStream {
            inner,
            appends: Arc::new(Semaphore::new(max_pending_appends)),
            cap: max_pending_appends,
        };
        stream.quick_ack();
        Ok(stream)
    }

    fn quick_ack(&self) {
        // Only latency depends on it; a failure changes nothing else.
        let _ = socket2::SockRef::from(&self.inner).set_tcp_quickack(true);
    }
}

impl AsyncRead for QuickAckStream {
    fn poll_read(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buffer.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(context, buffer);
        if matches!(result, Poll::Ready(Ok(()))) && buffer.filled().len() > before {
            this.quick_ack();
        }
        result
    }
}

impl AsyncWrite for QuickAckStream {
    fn poll_write(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(context, data)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffers: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(context, buffers)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(context)
    }

    fn poll_shutdown(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(context)
    }
}

impl Connected for QuickAckStream {
    type ConnectInfo = ConnectionInfo;

    fn connect_info(&self) -> ConnectionInfo {
        ConnectionInfo {
            tcp: self.inner.connect_info(),
            appends: self.appends.clone(),
            cap: self.cap,
        }
    }
}
