//! Compiles the project's own `.proto` files (the EventStoreDB wire protocol)
//! with protox, so that building needs no `protoc` on the machine.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = [
        "proto/shared.proto",
        "proto/code.proto",
        "proto/status.proto",
        "proto/streams.proto",
        "proto/serverfeatures.proto",
        "proto/persistent.proto",
        "proto/gossip.proto",
    ];
    for proto in protos {
        println!("cargo:rerun-if-changed={proto}");
    }
    let descriptors = protox::compile(protos, ["proto"])?;
    tonic_build::configure()
        .build_client(false)
        .build_server(true)
        .bytes(["."])
        .compile_fds(descriptors)?;
    Ok(())
}
