//! The one place that names the async runtime: spawning tasks, running
//! blocking front-end work off the protocol tasks, timers and stdio. Swapping
//! async-std for another runtime means rewriting this file only.

use std::future::Future;

/// The byte-stream traits the protocol is served over.
pub use async_std::io::{Read as AsyncRead, Write as AsyncWrite};
use std::time::Duration;

/// Runs `work` on the runtime's blocking thread pool and waits for it, so
/// parsing and checking never stall the tasks that read and write messages.
pub async fn spawn_blocking<T, F>(work: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    async_std::task::spawn_blocking(work).await
}

/// Starts a task that runs on its own; nobody waits for its end.
pub fn spawn<F>(task: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    async_std::task::spawn(task);
}

pub async fn sleep(duration: Duration) {
    async_std::task::sleep(duration).await;
}

/// Runs a future to completion on the current thread: the binary's entry point.
pub fn block_on<F: Future>(future: F) -> F::Output {
    async_std::task::block_on(future)
}

/// The process's standard input and output as the protocol's byte streams.
pub fn stdio() -> (async_std::io::Stdin, async_std::io::Stdout) {
    (async_std::io::stdin(), async_std::io::stdout())
}
