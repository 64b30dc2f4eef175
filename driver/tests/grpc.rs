//! The gRPC efuns against tonic's own server and client. The peer here
//! serves `chat.Chat` of `tests/web/chat.proto` on a tonic `Server` with
//! hand-written handlers and prost messages, and `grpc_call` and
//! `grpc_stream` from LPC call it; a tonic client calls the same service
//! as `grpc_serve` serves it from `tests/web/grpcsvc.c`. tonic needs tokio,
//! which the test runs on threads of its own.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures_util::Stream;
use hyper::http;
use tonic::server::{
    ClientStreamingService, ServerStreamingService, StreamingService, UnaryService,
};
use tonic::{Request, Response, Status};

mod common;
mod tonic_peer;
mod web_driver;
use tonic_peer::{ProstCodec, runtime};
use web_driver::{Driver, PATIENCE, line_of};

#[derive(Clone, PartialEq, prost::Message)]
struct Line {
    #[prost(string, tag = "1")]
    who: String,
    #[prost(string, tag = "2")]
    text: String,
    #[prost(int64, tag = "3")]
    count: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Ack {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    echo: String,
}

fn line(who: &str, text: &str, count: i64) -> Line {
    Line {
        who: who.into(),
        text: text.into(),
        count,
    }
}

type Boxed<T> = Pin<Box<dyn Future<Output = Result<T, Status>> + Send>>;
type Lines = Pin<Box<dyn Stream<Item = Result<Line, Status>> + Send>>;

/// The peer's methods; which one a unary call runs is in the path.
#[derive(Clone)]
struct Method(String);

/// `Send` echoes the line and the `x-room` metadata; `Fail` is refused;
/// `Slow` answers after three seconds.
impl UnaryService<Line> for Method {
    type Response = Ack;
    type Future = Boxed<Response<Ack>>;

    fn call(&mut self, request: Request<Line>) -> Self::Future {
        let room = request
            .metadata()
            .get("x-room")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let line = request.into_inner();
        let method = self.0.clone();
        Box::pin(async move {
            match method.as_str() {
                "/chat.Chat/Fail" => Err(Status::permission_denied("not you")),
                "/chat.Chat/Slow" => {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                    Ok(Response::new(Ack::default()))
                }
                _ => Ok(Response::new(Ack {
                    code: 7,
                    echo: format!("{}:{}:{}:{room}", line.who, line.text, line.count),
                })),
            }
        })
    }
}

/// `Replay`: two lines, then a failure status.
impl ServerStreamingService<Line> for Method {
    type Response = Line;
    type ResponseStream = Lines;
    type Future = Boxed<Response<Lines>>;

    fn call(&mut self, request: Request<Line>) -> Self::Future {
        let text = request.into_inner().text;
        let items = vec![
            Ok(line("a", &text, 1)),
            Ok(line("b", &text, 2)),
            Err(Status::data_loss("the tape ran out")),
        ];
        let stream: Lines = Box::pin(futures_util::stream::iter(items));
        Box::pin(async move { Ok(Response::new(stream)) })
    }
}

/// `Collect`: the count of the lines and their texts joined.
impl ClientStreamingService<Line> for Method {
    type Response = Ack;
    type Future = Boxed<Response<Ack>>;

    fn call(&mut self, request: Request<tonic::Streaming<Line>>) -> Self::Future {
        let mut lines = request.into_inner();
        Box::pin(async move {
            let mut texts = Vec::new();
            while let Some(line) = lines.message().await? {
                texts.push(line.text);
            }
            Ok(Response::new(Ack {
                code: texts.len() as i32,
                echo: texts.join("+"),
            }))
        })
    }
}

/// `Chatter`: each line is answered at once, shouted, with its count; the
/// end of the client's lines gets a last line with how many there were.
impl StreamingService<Line> for Method {
    type Response = Line;
    type ResponseStream = Lines;
    type Future = Boxed<Response<Lines>>;

    fn call(&mut self, request: Request<tonic::Streaming<Line>>) -> Self::Future {
        let mut lines = request.into_inner();
        let (answers, answered) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut heard = 0;
            while let Ok(Some(line)) = lines.message().await {
                heard += 1;
                let _ = answers.send(Ok(self::line(
                    "peer",
                    &line.text.to_uppercase(),
                    line.count,
                )));
            }
            let _ = answers.send(Ok(self::line("end", "bye", heard)));
        });
        Box::pin(async move { Ok(Response::new(receiver_stream(answered))) })
    }
}

fn receiver_stream<T: Send + 'static>(
    receiver: tokio::sync::mpsc::UnboundedReceiver<T>,
) -> Pin<Box<dyn Stream<Item = T> + Send>> {
    Box::pin(futures_util::stream::unfold(receiver, |mut r| async move {
        Some((r.recv().await?, r))
    }))
}

/// Answers a request to the peer by its method.
async fn route(request: http::Request<tonic::body::Body>) -> http::Response<tonic::body::Body> {
    let path = request.uri().path().to_string();
    let method = Method(path.clone());
    let lines = || tonic::server::Grpc::new(ProstCodec::<Line, Line>::new());
    let acks = || tonic::server::Grpc::new(ProstCodec::<Ack, Line>::new());
    match path.as_str() {
        "/chat.Chat/Send" | "/chat.Chat/Fail" | "/chat.Chat/Slow" => {
            acks().unary(method, request).await
        }
        "/chat.Chat/Replay" => lines().server_streaming(method, request).await,
        "/chat.Chat/Collect" => acks().client_streaming(method, request).await,
        "/chat.Chat/Chatter" => lines().streaming(method, request).await,
        _ => Status::unimplemented(format!("no method {path}")).into_http(),
    }
}

#[test]
fn grpc_call_and_grpc_stream_talk_to_a_tonic_server() {
    let port = tonic_peer::serve(route);
    let mut driver = Driver::start(&[format!("grpc_peer={port}")], &[]);
    let log = driver.expect_log(&[
        "grpc load 1",
        "send message code=7,echo=ann:hi:3:hall",
        "replay message count=1,text=again,who=a",
        "replay message count=2,text=again,who=b",
        "replay status 15 the tape ran out",
        "fail status 7 not you",
        "collect message code=3,echo=a+b+c",
        "collect none message code=0,echo=",
        "chatter message count=1,text=X,who=peer",
        "chatter message count=2,text=Y,who=peer",
        "chatter message count=2,text=bye,who=end",
        "chatter status 0 ",
        "ping sent 1",
        "pong peer 1 PING1",
        "pong peer 2 PING2",
        "pong peer 3 PING3",
        "close 1 0 0",
        "pong end 3 bye",
        "pingpong status 0  1",
        "grpc send nowhere 0 0",
        "grpc bad method *grpc_call(): service chat.Chat has no method Nope",
        "grpc stream unary *grpc_stream(): chat.Chat/Send takes one request; call it with grpc_call()",
    ]);
    let line = |prefix: &str| line_of(&log, prefix);
    assert!(line("grpc bad proto ").contains("nosuch.proto"), "{log}");
    assert!(line("grpc bad field ").contains("nope"), "{log}");
    assert!(line("grpc send bad field ").contains("nope"), "{log}");
    // Another object may neither send on the stream nor close it.
    let stolen = line("grpc stream stolen ");
    assert!(stolen.contains("*grpc_send(): handle "), "{log}");
    assert!(stolen.contains("|*grpc_close_send(): handle "), "{log}");
    assert_eq!(
        stolen.matches(" belongs to /web, not to /other").count(),
        2,
        "{log}"
    );
    assert!(
        line("grpc array to unary ").contains("Bad argument 3 to grpc_call()"),
        "{log}"
    );
    // Each ping went out only after the answer to the one before.
    let order: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with("ping sent") || l.starts_with("pong peer"))
        .collect();
    assert_eq!(
        order,
        [
            "ping sent 1",
            "pong peer 1 PING1",
            "ping sent 1",
            "pong peer 2 PING2",
            "ping sent 1",
            "pong peer 3 PING3"
        ],
        "{log}"
    );
    driver.expect_log(&[
        "slow status 4 the deadline passed",
        "streamed collect message code=2,echo=p+q",
        "open message count=1,text=HELLO,who=peer",
        "open status 4 the deadline passed",
    ]);
    // Nothing listens on port 1: the call fails as unavailable.
    let deadline = std::time::Instant::now() + PATIENCE;
    let nobody = loop {
        let log = driver.log();
        if let Some(line) = log.lines().find(|l| l.starts_with("nobody status")) {
            break line.to_string();
        }
        assert!(std::time::Instant::now() < deadline, "{log}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(nobody.starts_with("nobody status 14 "), "{nobody}");
}

/// A tonic client of the driver's `grpc_serve` at `port`.
struct Client(tonic::client::Grpc<tonic::transport::Channel>);

impl Client {
    async fn connect(port: u16) -> Client {
        let endpoint = tonic::transport::Endpoint::from_shared(format!("http://127.0.0.1:{port}"))
            .expect("endpoint");
        let channel = endpoint.connect().await.expect("connect to grpc_serve");
        Client(tonic::client::Grpc::new(channel))
    }

    fn path(method: &str) -> http::uri::PathAndQuery {
        format!("/chat.Chat/{method}").parse().expect("path")
    }

    async fn unary<R: prost::Message + Default + Send + 'static>(
        &mut self,
        method: &str,
        request: Line,
    ) -> Result<R, Status> {
        self.0.ready().await.expect("ready");
        let codec = ProstCodec::<Line, R>::new();
        let response = self
            .0
            .unary(Request::new(request), Self::path(method), codec)
            .await?;
        Ok(response.into_inner())
    }

    /// A bidirectional `Chatter` stream: where to put lines, the answers,
    /// and the handle that cancels the whole call.
    async fn chatter(
        &mut self,
    ) -> (
        tokio::sync::mpsc::UnboundedSender<Line>,
        tonic::Streaming<Line>,
        tonic::CancellationHandle,
    ) {
        self.0.ready().await.expect("ready");
        let (lines, requests) = tokio::sync::mpsc::unbounded_channel();
        let codec = ProstCodec::<Line, Line>::new();
        let mut request = Request::new(receiver_stream(requests));
        let cancel = request.cancellation_handle();
        let answers = self
            .0
            .streaming(request, Self::path("Chatter"), codec)
            .await
            .expect("Chatter opens");
        (lines, answers.into_inner(), cancel)
    }
}

/// The next answer of a stream, which must come within the test's
/// patience; `None` at the stream's end with status OK.
async fn next(answers: &mut tonic::Streaming<Line>) -> Option<Line> {
    heard(answers).await.expect("an answer, not a failure")
}

/// How a stream goes on: its next answer, its end, or its failure.
async fn heard(answers: &mut tonic::Streaming<Line>) -> Result<Option<Line>, Status> {
    tokio::time::timeout(PATIENCE, answers.message())
        .await
        .expect("an answer in time")
}

/// Opens a stream whose handler neither answers nor closes it after the
/// client's end, which then times out: how long that took.
async fn forgotten(client: &mut Client) -> Duration {
    let (lines, mut answers, _) = client.chatter().await;
    lines.send(line("me", "forget", 0)).expect("send");
    let started = std::time::Instant::now();
    drop(lines);
    let status = heard(&mut answers).await.expect_err("forget times out");
    assert_eq!(status.code(), tonic::Code::DeadlineExceeded, "{status:?}");
    assert!(
        status.message().contains("did not end the stream"),
        "{status:?}"
    );
    started.elapsed()
}

#[test]
fn grpc_serve_answers_a_tonic_client() {
    let port = common::free_port();
    let brief_port = common::free_port();
    let mut driver = Driver::start(
        &[
            format!("grpc_server={port}"),
            format!("grpc_brief_server={brief_port}"),
        ],
        &[],
    );
    driver.expect_log(&[
        "grpc load 1",
        "grpc serve 1",
        "grpc brief serve 1",
        "grpc serve bad option *grpc_serve(): unknown option 'nope' (known: linger, connections_per_address)",
    ]);
    let runtime = runtime();
    runtime.block_on(async {
        let mut client = Client::connect(port).await;
        let ack: Ack = client
            .unary("Send", line("ann", "hi", 3))
            .await
            .expect("Send");
        assert_eq!(
            ack,
            Ack {
                code: 7,
                echo: "ann:hi:3".into()
            }
        );
        let failed = client.unary::<Ack>("Fail", line("", "", 0)).await;
        let status = failed.expect_err("Fail fails");
        assert_eq!(status.code(), tonic::Code::Unknown);
        assert!(status.message().contains("cannot send"), "{status:?}");

        client.0.ready().await.expect("ready");
        let replay = client
            .0
            .server_streaming(
                Request::new(line("", "again", 0)),
                Client::path("Replay"),
                ProstCodec::<Line, Line>::new(),
            )
            .await
            .expect("Replay");
        let mut replay = replay.into_inner();
        assert_eq!(next(&mut replay).await, Some(line("a", "again", 0)));
        assert_eq!(next(&mut replay).await, Some(line("b", "again", 2)));
        assert_eq!(next(&mut replay).await, None);

        client.0.ready().await.expect("ready");
        let lines = vec![line("", "a", 0), line("", "b", 0), line("", "c", 0)];
        let collected = client
            .0
            .client_streaming(
                Request::new(futures_util::stream::iter(lines)),
                Client::path("Collect"),
                ProstCodec::<Line, Ack>::new(),
            )
            .await
            .expect("Collect");
        assert_eq!(
            collected.into_inner(),
            Ack {
                code: 3,
                echo: "a+b+c".into()
            }
        );

        // A conversation: each answer comes before the next line is sent,
        // so none of it waits for the end of the client's lines.
        let (lines, mut answers, _) = client.chatter().await;
        lines.send(line("me", "hello", 0)).expect("send");
        assert_eq!(next(&mut answers).await, Some(line("echo", "HELLO", 1)));
        lines.send(line("me", "later", 0)).expect("send");
        assert_eq!(next(&mut answers).await, Some(line("echo", "later", 2)));
        lines.send(line("me", "x", 0)).expect("send");
        assert_eq!(next(&mut answers).await, Some(line("echo", "X", 3)));
        drop(lines);
        assert_eq!(next(&mut answers).await, Some(line("echo", "bye", 3)));
        assert_eq!(next(&mut answers).await, None);

        // The handler ends a stream whose client still sends.
        let (lines, mut answers, _) = client.chatter().await;
        lines.send(line("me", "stop", 0)).expect("send");
        assert_eq!(
            next(&mut answers).await,
            Some(line("echo", "stopped 10", 1))
        );
        assert_eq!(next(&mut answers).await, None);
        drop(lines);

        // An error in the handler ends the stream with its message.
        let (lines, mut answers, _) = client.chatter().await;
        lines.send(line("me", "one", 0)).expect("send");
        assert_eq!(next(&mut answers).await, Some(line("echo", "ONE", 1)));
        lines.send(line("me", "boom", 0)).expect("send");
        let status = heard(&mut answers).await.expect_err("boom fails");
        assert_eq!(status.code(), tonic::Code::Unknown);
        assert!(status.message().contains("boom on purpose"), "{status:?}");
        drop(lines);

        let (lines, mut answers, _) = client.chatter().await;
        lines.send(line("me", "odd", 0)).expect("send");
        let status = heard(&mut answers).await.expect_err("odd fails");
        assert_eq!(status.code(), tonic::Code::Internal);
        assert!(
            status.message().contains("Chatter() returned a string"),
            "{status:?}"
        );
        drop(lines);

        // The handler answers after the client's end, from a call_out,
        // then closes the stream.
        let (lines, mut answers, _) = client.chatter().await;
        lines.send(line("me", "wait", 0)).expect("send");
        lines.send(line("me", "x", 0)).expect("send");
        assert_eq!(next(&mut answers).await, Some(line("echo", "X", 2)));
        drop(lines);
        assert_eq!(next(&mut answers).await, Some(line("echo", "after end", 2)));
        assert_eq!(next(&mut answers).await, None);

        // A handler that neither answers nor closes after the client's
        // end loses the stream after the linger time (1 s here).
        assert!(forgotten(&mut client).await >= Duration::from_millis(900));

        // The linger time starts when the handler has heard the client's
        // end: a last answer that takes longer than it still comes.
        let mut brief = Client::connect(brief_port).await;
        let (lines, mut answers, _) = brief.chatter().await;
        lines.send(line("me", "slowend", 0)).expect("send");
        drop(lines);
        assert_eq!(next(&mut answers).await, Some(line("echo", "bye", 1)));
        assert_eq!(next(&mut answers).await, None);
        assert!(forgotten(&mut brief).await < Duration::from_millis(900));

        // The client cancels the whole call while its requests are still
        // open: the handler still hears the end, and answers go nowhere.
        let (lines, mut answers, cancel) = client.chatter().await;
        lines.send(line("me", "watch", 0)).expect("send");
        lines.send(line("me", "x", 0)).expect("send");
        assert_eq!(next(&mut answers).await, Some(line("echo", "X", 2)));
        cancel.cancel();
        drop(answers);
        // The client's connection runs on this thread: wait without
        // blocking it.
        let watched = "watched end 2 send 0";
        let deadline = std::time::Instant::now() + PATIENCE;
        while !driver.log().lines().any(|l| l == watched) && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        driver.expect_log(&[watched]);
        drop(lines);

        // An empty last answer ends the stream at once.
        let (lines, mut answers, _) = client.chatter().await;
        lines.send(line("me", "quiet", 0)).expect("send");
        drop(lines);
        assert_eq!(next(&mut answers).await, None);

        // Another object may neither answer on the stream nor close it.
        let (lines, mut answers, _) = client.chatter().await;
        lines.send(line("me", "steal", 0)).expect("send");
        let stolen = next(&mut answers).await.expect("the refusals");
        assert!(
            stolen.text.starts_with("*grpc_send(): handle "),
            "{stolen:?}"
        );
        assert!(
            stolen.text.contains("|*grpc_close_send(): handle "),
            "{stolen:?}"
        );
        assert_eq!(
            stolen
                .text
                .matches(" belongs to /grpcsvc, not to /other")
                .count(),
            2,
            "{stolen:?}"
        );
        drop(lines);
        assert_eq!(next(&mut answers).await, Some(line("echo", "bye", 1)));
        assert_eq!(next(&mut answers).await, None);

        // The handler object goes away: its streams end as unavailable.
        let (lines, mut answers, _) = client.chatter().await;
        lines.send(line("me", "vanish", 0)).expect("send");
        let status = heard(&mut answers).await.expect_err("vanish fails");
        assert_eq!(status.code(), tonic::Code::Unavailable);
        drop(lines);

        client.0.ready().await.expect("ready");
        let missing = client
            .0
            .unary(
                Request::new(line("", "", 0)),
                "/chat.Chat/Nope".parse().expect("path"),
                ProstCodec::<Line, Ack>::new(),
            )
            .await
            .expect_err("no such method");
        assert_eq!(missing.code(), tonic::Code::Unimplemented);
    });
}
