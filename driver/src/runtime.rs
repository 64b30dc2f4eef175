//! The async runtime behind the network tasks. This is the only file that
//! names it, so moving to another runtime changes one file.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

pub use async_std::channel::{Receiver, Sender, bounded, unbounded as channel};
pub use async_std::net::{TcpListener, TcpStream, UdpSocket};

/// Runs a task on the runtime's threads, detached.
pub fn spawn<F>(task: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    drop(async_std::task::spawn(task));
}

/// Runs a future to completion on the calling thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    async_std::task::block_on(future)
}

pub async fn sleep(duration: Duration) {
    async_std::task::sleep(duration).await
}

/// Binds a listening socket.
pub async fn listen(address: &str) -> std::io::Result<TcpListener> {
    TcpListener::bind(address).await
}

/// How many connections the kernel may hold for a listener before they
/// are accepted (it caps this at its `somaxconn`). The default of the
/// runtime's own `bind` is 128, which a burst of connects overflows.
pub const LISTEN_BACKLOG: i32 = 4096;

/// Binds a listening socket with a [`LISTEN_BACKLOG`] long queue.
pub fn listen_backlogged(address: SocketAddr) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(
        Domain::for_address(address),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    // As the standard library's bind does: a restarted driver may bind
    // its port again while old connections linger in TIME_WAIT.
    socket.set_reuse_address(true)?;
    socket.bind(&address.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    tcp_listener(socket.into())
}

/// An async listener from a socket bound on the VM thread.
pub fn tcp_listener(listener: std::net::TcpListener) -> std::io::Result<TcpListener> {
    listener.set_nonblocking(true)?;
    Ok(TcpListener::from(listener))
}

/// An async datagram socket from one bound on the VM thread.
pub fn udp_socket(socket: std::net::UdpSocket) -> std::io::Result<UdpSocket> {
    socket.set_nonblocking(true)?;
    Ok(UdpSocket::from(socket))
}

pub async fn connect(address: SocketAddr) -> std::io::Result<TcpStream> {
    TcpStream::connect(address).await
}

/// A whole file, read without blocking the runtime's threads.
pub async fn read_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    async_std::fs::read(path).await
}

/// Every address a host name (or an address literal) stands for.
pub async fn lookup(host: &str) -> std::io::Result<Vec<SocketAddr>> {
    use async_std::net::ToSocketAddrs;
    let addresses = (host, 0).to_socket_addrs().await?;
    Ok(addresses.collect())
}

/// `future`'s output, or `None` when `duration` passes first.
pub async fn timeout<F: Future>(duration: Duration, future: F) -> Option<F::Output> {
    async_std::future::timeout(duration, future).await.ok()
}

/// Writes `bytes` to a file, creating it; `append` keeps what was there.
pub async fn write_file(path: &std::path::Path, bytes: &[u8], append: bool) -> std::io::Result<()> {
    use async_std::io::WriteExt;
    let mut options = async_std::fs::OpenOptions::new();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.write(true).truncate(true);
    }
    let mut file = options.open(path).await?;
    file.write_all(bytes).await?;
    file.flush().await
}

/// The names in a directory, without `.` and `..`; names that are not
/// UTF-8 are left out.
pub async fn dir_names(path: &std::path::Path) -> std::io::Result<Vec<String>> {
    use async_std::stream::StreamExt;
    let mut entries = async_std::fs::read_dir(path).await?;
    let mut names = Vec::new();
    while let Some(entry) = entries.next().await {
        if let Ok(name) = entry?.file_name().into_string() {
            names.push(name);
        }
    }
    Ok(names)
}
