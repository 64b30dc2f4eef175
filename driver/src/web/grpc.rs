//! gRPC for the `grpc_*` efuns: services and messages known only at run
//! time (.proto files compiled by protox into a descriptor pool, messages
//! as prost-reflect dynamic messages), carried by tonic. tonic needs tokio,
//! so its work runs on one dedicated thread with a tokio runtime; news
//! reaches the VM thread the same way as every other task's.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::Buf;
use futures_util::Stream;
use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, MethodDescriptor};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::server::{
    ClientStreamingService, ServerStreamingService, StreamingService, UnaryService,
};
use tonic::{Request, Response, Status};

use crate::net::{Credit, Inflow, OUTGOING_WINDOW, PARCEL_COST};

/// Every service and message of the .proto files loaded so far.
fn pool() -> &'static Mutex<DescriptorPool> {
    static POOL: OnceLock<Mutex<DescriptorPool>> = OnceLock::new();
    POOL.get_or_init(|| Mutex::new(DescriptorPool::new()))
}

/// Compiles `file` (relative to `root`, where its imports are looked up
/// too) and adds what it declares to the pool.
pub fn load(root: &Path, file: &str) -> Result<(), String> {
    let set = protox::compile([file], [root]).map_err(|e| e.to_string())?;
    let mut pool = pool()
        .lock()
        .map_err(|_| "the descriptor pool is unusable")?;
    pool.add_file_descriptor_set(set).map_err(|e| e.to_string())
}

/// The method `package.Service/Method`.
pub fn method(name: &str) -> Result<MethodDescriptor, String> {
    let (service, method) = name
        .split_once('/')
        .ok_or_else(|| format!("'{name}' is not of the form package.Service/Method"))?;
    let pool = pool()
        .lock()
        .map_err(|_| "the descriptor pool is unusable")?;
    let service = pool
        .get_service_by_name(service)
        .ok_or_else(|| format!("no service {service} is loaded"))?;
    let found = service.methods().find(|m| m.name() == method);
    found.ok_or_else(|| format!("service {} has no method {method}", service.full_name()))
}

/// The service of that full name.
pub fn service(name: &str) -> Result<prost_reflect::ServiceDescriptor, String> {
    let pool = pool()
        .lock()
        .map_err(|_| "the descriptor pool is unusable")?;
    pool.get_service_by_name(name)
        .ok_or_else(|| format!("no service {name} is loaded"))
}

/// A message from its JSON form (proto3 JSON mapping).
pub fn message_from_json(
    descriptor: MessageDescriptor,
    json: serde_json::Value,
) -> Result<DynamicMessage, String> {
    DynamicMessage::deserialize(descriptor, json).map_err(|e| e.to_string())
}

/// A message in JSON form, with field names as in the .proto file and
/// 64-bit integers as numbers, as LPC wants them.
pub fn message_to_json(message: &DynamicMessage) -> Result<serde_json::Value, String> {
    let options = prost_reflect::SerializeOptions::new()
        .stringify_64_bit_integers(false)
        .use_proto_field_name(true)
        .skip_default_fields(false);
    message
        .serialize_with_options(serde_json::value::Serializer, &options)
        .map_err(|e| e.to_string())
}

/// The thread where tonic runs, started at first use.
fn tokio() -> Result<&'static tokio::runtime::Handle, String> {
    static HANDLE: OnceLock<Result<tokio::runtime::Handle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the gRPC runtime: {e}"))?;
            let handle = runtime.handle().clone();
            std::thread::Builder::new()
                .name("grpc".into())
                .spawn(move || runtime.block_on(std::future::pending::<()>()))
                .map_err(|e| format!("cannot start the gRPC thread: {e}"))?;
            Ok(handle)
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Runs `task` on the gRPC thread.
pub fn spawn(task: impl Future<Output = ()> + Send + 'static) -> Result<(), String> {
    drop(tokio()?.spawn(task));
    Ok(())
}

/// Encodes and decodes dynamic messages of known descriptors.
#[derive(Clone)]
pub struct DynamicCodec {
    decode: MessageDescriptor,
}

impl DynamicCodec {
    /// A codec that decodes messages of type `decode`.
    pub fn new(decode: MessageDescriptor) -> DynamicCodec {
        DynamicCodec { decode }
    }
}

pub struct DynamicEncoder;

pub struct DynamicDecoder(MessageDescriptor);

impl Codec for DynamicCodec {
    type Encode = DynamicMessage;
    type Decode = DynamicMessage;
    type Encoder = DynamicEncoder;
    type Decoder = DynamicDecoder;

    fn encoder(&mut self) -> DynamicEncoder {
        DynamicEncoder
    }

    fn decoder(&mut self) -> DynamicDecoder {
        DynamicDecoder(self.decode.clone())
    }
}

impl Encoder for DynamicEncoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn encode(&mut self, item: DynamicMessage, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(dst)
            .map_err(|e| Status::internal(format!("encoding a message: {e}")))
    }
}

impl Decoder for DynamicDecoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<DynamicMessage>, Status> {
        let bytes = src.copy_to_bytes(src.remaining());
        let mut message = DynamicMessage::new(self.0.clone());
        message
            .merge(bytes)
            .map_err(|e| Status::invalid_argument(format!("decoding a message: {e}")))?;
        Ok(Some(message))
    }
}

/// What a call gives back: each response, then how it ended.
pub enum Reply {
    Message(DynamicMessage),
    Status(tonic::Code, String),
}

/// The requests of a call: a list known when it starts, or a stream the
/// VM feeds while the call runs (ended by dropping the sender), each
/// request holding its share of the call's outgoing window until the
/// transport takes it.
pub enum Requests {
    Listed(Vec<DynamicMessage>),
    Fed(tokio::sync::mpsc::UnboundedReceiver<(DynamicMessage, Credit)>),
}

type RequestStream = Pin<Box<dyn Stream<Item = DynamicMessage> + Send>>;

impl Requests {
    fn into_stream(self) -> RequestStream {
        match self {
            Requests::Listed(messages) => Box::pin(futures_util::stream::iter(messages)),
            Requests::Fed(receiver) => received(receiver),
        }
    }
}

/// What a channel receives, as a stream that ends when every sender is
/// gone. A message's credit is given back as the transport takes it: HTTP/2
/// takes the next only when the peer's flow-control window has room, so a
/// peer that does not read leaves the messages counted in their window.
fn received<T: Send + 'static>(
    receiver: tokio::sync::mpsc::UnboundedReceiver<(T, Credit)>,
) -> Pin<Box<dyn Stream<Item = T> + Send>> {
    Box::pin(futures_util::stream::unfold(
        receiver,
        |mut receiver| async move {
            let (message, _credit) = receiver.recv().await?;
            Some((message, receiver))
        },
    ))
}

/// Calls `method` at `target` with `requests` (one message, or the
/// stream of a client-streaming method); `on_reply` hears each response
/// and, for a stream, the final status; errors end as a status. The next
/// response of a stream is read only when `flow` has room, so a server
/// that floods waits until the VM has taken what it has.
pub async fn call(
    target: String,
    method: MethodDescriptor,
    requests: Requests,
    metadata: Vec<(String, String)>,
    deadline: Duration,
    on_reply: impl Fn(Reply) + Send + 'static,
    flow: Arc<Inflow>,
) {
    let outcome = tokio::time::timeout(
        deadline,
        exchange(target, method, requests, metadata, &on_reply, &flow),
    )
    .await
    .unwrap_or_else(|_| Err(Status::deadline_exceeded("the deadline passed")));
    if let Err(status) = outcome {
        on_reply(Reply::Status(status.code(), status.message().to_string()));
    }
}

/// How many targets keep a channel; past that the kept ones are dropped.
const MAX_CHANNELS: usize = 64;

/// The HTTP/2 flow-control windows of the driver's gRPC connections, as
/// client and as server: how much of one stream's data, and of all the
/// streams of one connection, a peer may send ahead of what the driver
/// has read. The VM takes messages at its own pace, so a larger window
/// would only hold more of a flood in memory.
const STREAM_WINDOW: u32 = 256 << 10;
const CONNECTION_WINDOW: u32 = 1 << 20;

/// The channel to `target`, made at first use and then kept: a channel
/// carries concurrent calls over one HTTP/2 connection and reconnects by
/// itself, so calls do not pay a handshake each.
async fn channel_to(target: &str) -> Result<tonic::transport::Channel, Status> {
    type Channels = Mutex<HashMap<String, tonic::transport::Channel>>;
    static CHANNELS: OnceLock<Channels> = OnceLock::new();
    let channels = CHANNELS.get_or_init(Channels::default);
    let kept = channels.lock().ok().and_then(|c| c.get(target).cloned());
    if let Some(channel) = kept {
        return Ok(channel);
    }
    let endpoint = tonic::transport::Endpoint::from_shared(target.to_string())
        .map_err(|e| Status::invalid_argument(format!("bad target '{target}': {e}")))?
        .initial_stream_window_size(STREAM_WINDOW)
        .initial_connection_window_size(CONNECTION_WINDOW);
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| Status::unavailable(format!("cannot connect to {target}: {e}")))?;
    if let Ok(mut channels) = channels.lock() {
        if channels.len() >= MAX_CHANNELS {
            channels.clear();
        }
        channels.insert(target.to_string(), channel.clone());
    }
    Ok(channel)
}

async fn exchange(
    target: String,
    method: MethodDescriptor,
    requests: Requests,
    metadata: Vec<(String, String)>,
    on_reply: &(impl Fn(Reply) + Send),
    flow: &Inflow,
) -> Result<(), Status> {
    let mut client = tonic::client::Grpc::new(channel_to(&target).await?);
    client
        .ready()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    let path = format!("/{}/{}", method.parent_service().full_name(), method.name());
    let path = path
        .parse::<hyper::http::uri::PathAndQuery>()
        .map_err(|e| Status::invalid_argument(e.to_string()))?;
    let codec = DynamicCodec::new(method.output());
    let mut responses = match (method.is_client_streaming(), method.is_server_streaming()) {
        (false, streaming) => {
            let Requests::Listed(mut messages) = requests else {
                return Err(Status::invalid_argument("the method takes one request"));
            };
            let message = messages
                .pop()
                .filter(|_| messages.is_empty())
                .ok_or_else(|| Status::invalid_argument("the method takes one request"))?;
            let request = with_metadata(Request::new(message), metadata)?;
            if !streaming {
                let response = client.unary(request, path, codec).await?;
                on_reply(Reply::Message(response.into_inner()));
                return Ok(());
            }
            client.server_streaming(request, path, codec).await?
        }
        (true, streaming) => {
            let request = with_metadata(Request::new(requests.into_stream()), metadata)?;
            if !streaming {
                let response = client.client_streaming(request, path, codec).await?;
                on_reply(Reply::Message(response.into_inner()));
                return Ok(());
            }
            client.streaming(request, path, codec).await?
        }
    }
    .into_inner();
    loop {
        flow.room().await;
        let Some(message) = responses.message().await? else {
            break;
        };
        on_reply(Reply::Message(message));
    }
    on_reply(Reply::Status(tonic::Code::Ok, String::new()));
    Ok(())
}

/// `request` with `metadata` added.
fn with_metadata<T>(
    mut request: Request<T>,
    metadata: Vec<(String, String)>,
) -> Result<Request<T>, Status> {
    for (key, value) in metadata {
        let key = tonic::metadata::MetadataKey::from_bytes(key.as_bytes())
            .map_err(|_| Status::invalid_argument(format!("bad metadata key '{key}'")))?;
        let value = value
            .parse()
            .map_err(|_| Status::invalid_argument(format!("bad metadata value '{value}'")))?;
        request.metadata_mut().insert(key, value);
    }
    Ok(request)
}

/// Asks the VM thread to run a method's handler with its requests (one
/// unless the method is client-streaming): gives the responses (one unless
/// it is server-streaming) or a status.
pub type Handle = Arc<
    dyn Fn(
            MethodDescriptor,
            Vec<DynamicMessage>,
        ) -> Pin<Box<dyn Future<Output = Result<Vec<DynamicMessage>, Status>> + Send>>
        + Send
        + Sync,
>;

/// An answer of a bidirectional stream with its share of the stream's
/// outgoing window, given back as the transport takes the answer.
type Answer = (Result<DynamicMessage, Status>, Option<Credit>);

/// The answers of a bidirectional stream, sent whenever the handler likes;
/// dropping the last sender ends the stream with status OK. Answers waiting
/// for a client that does not read count in a window of
/// [`OUTGOING_WINDOW`]: `grpc_send` is refused past it, and the client's
/// next request is read only while it has room, so the answers a handler
/// returns for requests cannot pile up either.
#[derive(Clone)]
pub struct Outbox {
    sender: tokio::sync::mpsc::UnboundedSender<Answer>,
    flow: Arc<Inflow>,
}

impl Outbox {
    /// Queues an answer (or the final status) whatever the window's fill;
    /// false once the stream is over.
    pub fn send(&self, answer: Result<DynamicMessage, Status>) -> bool {
        let credit = answer
            .as_ref()
            .ok()
            .map(|message| self.flow.credit(message.encoded_len() + PARCEL_COST));
        self.sender.send((answer, credit)).is_ok()
    }

    /// Queues an answer if the window has room for it.
    pub fn offer(&self, message: DynamicMessage) -> super::Sent {
        if self.sender.is_closed() {
            return super::Sent::Closed;
        }
        super::offer(&self.flow, message.encoded_len(), |credit| {
            self.sender.send((Ok(message), Some(credit))).is_ok()
        })
    }
}

/// What a served bidirectional stream hears from its client's side.
pub enum Heard {
    /// A request.
    Request(DynamicMessage),
    /// The client's requests ended (or broke off); answers may still go.
    /// The sender is dropped once the handler has heard the end, which
    /// starts the linger time: a handler busy with its last answer is
    /// never cut off.
    End(tokio::sync::oneshot::Sender<()>),
    /// The stream is over: answered to the end, timed out or dropped by
    /// the client. Nothing sent to its outbox goes anywhere any more.
    Gone,
}

/// Hears one bidirectional stream, in order.
pub type Ear = Arc<dyn Fn(Heard) + Send + Sync>;

/// Opens a bidirectional stream of a method on the VM thread: gets the
/// outbox for its answers and gives the ear for its requests.
pub type Open = Arc<dyn Fn(MethodDescriptor, Outbox) -> Ear + Send + Sync>;

/// How a served service reaches LPC.
#[derive(Clone)]
pub struct Hooks {
    pub handle: Handle,
    pub open: Open,
    /// How long a bidirectional stream stays open after the client's end
    /// while the handler sends nothing and does not end it.
    pub linger: Duration,
    /// The window of what the service has handed the VM thread: the next
    /// request of a bidirectional stream is read only when it has room,
    /// so a client that floods waits in HTTP/2 flow control.
    pub flow: Arc<Inflow>,
}

#[derive(Clone)]
struct Handler {
    method: MethodDescriptor,
    hooks: Hooks,
}

type Responses = Pin<Box<dyn Stream<Item = Result<DynamicMessage, Status>> + Send>>;

impl UnaryService<DynamicMessage> for Handler {
    type Response = DynamicMessage;
    type Future = Pin<Box<dyn Future<Output = Result<Response<DynamicMessage>, Status>> + Send>>;

    fn call(&mut self, request: Request<DynamicMessage>) -> Self::Future {
        let answer = (self.hooks.handle)(self.method.clone(), vec![request.into_inner()]);
        Box::pin(async move { one(answer.await?) })
    }
}

impl ServerStreamingService<DynamicMessage> for Handler {
    type Response = DynamicMessage;
    type ResponseStream = Responses;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Responses>, Status>> + Send>>;

    fn call(&mut self, request: Request<DynamicMessage>) -> Self::Future {
        let answer = (self.hooks.handle)(self.method.clone(), vec![request.into_inner()]);
        Box::pin(async move { Ok(streamed(answer.await?)) })
    }
}

/// The single answer of a method that is not server-streaming.
fn one(mut messages: Vec<DynamicMessage>) -> Result<Response<DynamicMessage>, Status> {
    let message = messages
        .pop()
        .filter(|_| messages.is_empty())
        .ok_or_else(|| Status::internal("the handler must answer one message"))?;
    Ok(Response::new(message))
}

fn streamed(messages: Vec<DynamicMessage>) -> Response<Responses> {
    let stream: Responses = Box::pin(futures_util::stream::iter(
        messages.into_iter().map(Ok::<_, Status>),
    ));
    Response::new(stream)
}

/// The most messages a client may stream to a served client-streaming
/// method, and the most bytes they may hold together: the handler gets
/// them all at once, so they wait in memory until the stream ends.
const MAX_STREAMED: usize = 10_000;
const MAX_STREAMED_BYTES: usize = 8 << 20;

/// Every message of a client's stream, which the handler gets at once.
async fn gather(
    mut stream: tonic::Streaming<DynamicMessage>,
) -> Result<Vec<DynamicMessage>, Status> {
    let mut messages = Vec::new();
    let mut bytes = 0;
    while let Some(message) = stream.message().await? {
        if messages.len() == MAX_STREAMED {
            return Err(Status::resource_exhausted(format!(
                "more than {MAX_STREAMED} messages in one stream"
            )));
        }
        bytes += message.encoded_len();
        if bytes > MAX_STREAMED_BYTES {
            return Err(Status::resource_exhausted(format!(
                "more than {} MiB in one stream",
                MAX_STREAMED_BYTES >> 20
            )));
        }
        messages.push(message);
    }
    Ok(messages)
}

impl ClientStreamingService<DynamicMessage> for Handler {
    type Response = DynamicMessage;
    type Future = Pin<Box<dyn Future<Output = Result<Response<DynamicMessage>, Status>> + Send>>;

    fn call(&mut self, request: Request<tonic::Streaming<DynamicMessage>>) -> Self::Future {
        let Handler { method, hooks } = self.clone();
        Box::pin(async move {
            let requests = gather(request.into_inner()).await?;
            one((hooks.handle)(method, requests).await?)
        })
    }
}

/// Bidirectional streaming as a conversation: the handler hears each
/// request as it arrives and answers through the outbox at any time.
impl StreamingService<DynamicMessage> for Handler {
    type Response = DynamicMessage;
    type ResponseStream = Responses;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Responses>, Status>> + Send>>;

    fn call(&mut self, request: Request<tonic::Streaming<DynamicMessage>>) -> Self::Future {
        let (sender, answers) = tokio::sync::mpsc::unbounded_channel();
        let outflow = Inflow::with_window(OUTGOING_WINDOW);
        let outbox = Outbox {
            sender,
            flow: outflow.clone(),
        };
        let ear = (self.hooks.open)(self.method.clone(), outbox);
        let (end_heard, client_ended) = tokio::sync::oneshot::channel();
        let mut incoming = request.into_inner();
        let hears = ear.clone();
        let flow = self.hooks.flow.clone();
        tokio::spawn(async move {
            loop {
                flow.room().await;
                outflow.room().await;
                let Ok(Some(message)) = incoming.message().await else {
                    break;
                };
                hears(Heard::Request(message));
            }
            hears(Heard::End(end_heard));
        });
        let answers = conversation(answers, client_ended, self.hooks.linger, ear);
        Box::pin(async move { Ok(Response::new(answers)) })
    }
}

/// Tells the ear that its stream is over when the stream is dropped.
struct Over(Ear);

impl Drop for Over {
    fn drop(&mut self) {
        (self.0)(Heard::Gone);
    }
}

/// A served bidirectional stream's answers as they are sent; once the
/// handler has heard the end of the client's requests (`client_ended`
/// resolves), it has `linger` after each answer to send the next or end
/// the stream, or it ends as DEADLINE_EXCEEDED. An error status is the
/// last answer.
fn conversation(
    answers: tokio::sync::mpsc::UnboundedReceiver<Answer>,
    client_ended: tokio::sync::oneshot::Receiver<()>,
    linger: Duration,
    ear: Ear,
) -> Responses {
    struct State {
        answers: tokio::sync::mpsc::UnboundedReceiver<Answer>,
        client_ended: Option<tokio::sync::oneshot::Receiver<()>>,
        _over: Over,
    }
    let state = State {
        answers,
        client_ended: Some(client_ended),
        _over: Over(ear),
    };
    Box::pin(futures_util::stream::unfold(
        Some(state),
        move |state| async move {
            let mut state = state?;
            let answer = loop {
                let Some(ended) = state.client_ended.as_mut() else {
                    match tokio::time::timeout(linger, state.answers.recv()).await {
                        Ok(answer) => break answer?.0,
                        Err(_) => {
                            let late = Status::deadline_exceeded(format!(
                                "the handler did not end the stream within {} s of the client's end",
                                linger.as_secs_f64()
                            ));
                            return Some((Err(late), None));
                        }
                    }
                };
                tokio::select! {
                    answer = state.answers.recv() => break answer?.0,
                    _ = ended => state.client_ended = None,
                }
            };
            let last = answer.is_err();
            Some((answer, (!last).then_some(state)))
        },
    ))
}

/// Serves `service` on `listener` until `stop` has no sender left. An
/// address with `per_address` connections open (0: no limit) has its next
/// one closed at once, counted as a refusal: HTTP/2 has no answer a client
/// could take before its connection preface, and closing costs nothing.
pub async fn serve(
    listener: std::net::TcpListener,
    service: prost_reflect::ServiceDescriptor,
    hooks: Hooks,
    per_address: usize,
    stop: tokio::sync::oneshot::Receiver<()>,
) {
    let peers = crate::net::Peers::default();
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let accepting = async {
        loop {
            let Ok((stream, remote)) = listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let Some(slot) = peers.take(remote.ip(), per_address) else {
                drop(stream);
                continue;
            };
            let service = service.clone();
            let hooks = hooks.clone();
            tokio::spawn(async move {
                let answer = hyper::service::service_fn(move |request| {
                    dispatch(service.clone(), hooks.clone(), request)
                });
                let mut builder =
                    hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new());
                builder
                    .initial_stream_window_size(STREAM_WINDOW)
                    .initial_connection_window_size(CONNECTION_WINDOW);
                let _ = builder
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), answer)
                    .await;
                drop(slot);
            });
        }
    };
    tokio::select! {
        _ = accepting => {}
        _ = stop => {}
    }
}

async fn dispatch(
    service: prost_reflect::ServiceDescriptor,
    hooks: Hooks,
    request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<tonic::body::Body>, Infallible> {
    let path = request.uri().path().to_string();
    let name = path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(service.full_name()))
        .and_then(|p| p.strip_prefix('/'))
        .unwrap_or("");
    let Some(method) = service.methods().find(|m| m.name() == name) else {
        return Ok(Status::unimplemented(format!("no method {path}")).into_http());
    };
    let handler = Handler {
        method: method.clone(),
        hooks,
    };
    let mut grpc = tonic::server::Grpc::new(DynamicCodec::new(method.input()));
    let response = match (method.is_client_streaming(), method.is_server_streaming()) {
        (false, false) => grpc.unary(handler, request).await,
        (false, true) => grpc.server_streaming(handler, request).await,
        (true, false) => grpc.client_streaming(handler, request).await,
        (true, true) => grpc.streaming(handler, request).await,
    };
    Ok(response)
}
