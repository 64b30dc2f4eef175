//! The MQTT client of `mqtt_connect`, speaking MQTT 3.1.1 or 5: one task
//! keeps the connection to the broker (TLS when asked), reconnecting with a
//! growing pause after a loss, and turns the VM's requests into packets.
//! The protocol itself (packet codec, acknowledgements, keep-alive, packet
//! ids) is mqtt-protocol-core's state machine; this file moves its bytes.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_lite::io::{AsyncReadExt, AsyncWriteExt};
use futures_rustls::rustls::ClientConfig;
use mqtt_protocol_core::mqtt::common::Cursor;
use mqtt_protocol_core::mqtt::connection::{Event, TimerKind};
use mqtt_protocol_core::mqtt::packet::{
    GenericPacket, GenericPacketTrait, SubEntry, SubOpts, v3_1_1, v5_0,
};
use mqtt_protocol_core::mqtt::result_code::ConnectReasonCode;
use mqtt_protocol_core::mqtt::result_code::MqttError;
use mqtt_protocol_core::mqtt::{Connection, role};
use rustc_hash::FxHashMap;

pub use mqtt_protocol_core::mqtt::Version;
pub use mqtt_protocol_core::mqtt::packet::Qos;

use super::timeout;
use crate::net::{Credit, Inflow};
use crate::runtime::{self, Receiver};

/// The message the broker publishes for a client that vanishes.
pub struct Will {
    pub topic: String,
    pub payload: Vec<u8>,
    pub qos: Qos,
    pub retain: bool,
}

pub struct Settings {
    pub host: String,
    pub port: u16,
    pub tls: Option<Arc<ClientConfig>>,
    pub version: Version,
    pub client_id: String,
    pub username: Option<String>,
    pub password: Option<Vec<u8>>,
    pub keep_alive: u16,
    /// Clean session (3.1.1) or clean start (5).
    pub clean: bool,
    pub will: Option<Will>,
    pub reconnect: bool,
    /// For the connection and the broker's acknowledgement together.
    pub connect_timeout: Duration,
}

/// What the VM thread asks of a client. A subscription's change holds its
/// share of the client's outgoing window until the broker acknowledges it.
pub enum Request {
    Subscribe(String, Qos, Option<Credit>),
    Unsubscribe(String, Option<Credit>),
    Publish {
        topic: String,
        payload: Vec<u8>,
        qos: Qos,
        retain: bool,
        /// Its share of the client's outgoing window, held until the
        /// packet is written, and at QoS 1 and 2 until the broker has
        /// acknowledged it: a broker that is slow or unreachable leaves
        /// the messages counted, and `mqtt_publish` refused past it.
        credit: Option<Credit>,
    },
    Disconnect,
}

/// What a client tells the VM thread.
pub enum News {
    Connected,
    /// The connection failed or was lost, and why.
    Disconnected(String),
    /// The pause before the next attempt.
    Reconnecting(Duration),
    Message {
        topic: String,
        payload: Vec<u8>,
        qos: Qos,
        retain: bool,
    },
    /// The broker refused a subscription to this topic filter, with its
    /// reason code (0x80 from a 3.1.1 broker; an MQTT 5 one says more).
    Refused {
        topic: String,
        code: u8,
    },
}

/// The pauses between attempts grow from the first to the last.
const FIRST_PAUSE: Duration = Duration::from_millis(500);
const LAST_PAUSE: Duration = Duration::from_secs(30);

/// How a connection ended.
enum End {
    /// `mqtt_disconnect`: DISCONNECT went out.
    Stopped,
    /// The VM dropped the client (its owner was destructed): the socket
    /// closes without DISCONNECT, so the broker publishes the will.
    Dropped,
    /// The connection failed or was lost, and why.
    Lost(String),
}

/// Runs a client until it is disconnected on request, its requests stop
/// (the VM dropped it), or a loss when reconnecting is off. Returns why.
pub async fn run(
    settings: Settings,
    requests: Receiver<Request>,
    news: impl Fn(News) -> bool + Send + Sync + 'static,
    flow: &Inflow,
) -> String {
    // One protocol state for every connection, so that with a kept
    // session unacknowledged messages go out again after a reconnect.
    let mut conn = Connection::<role::Client>::new(settings.version);
    conn.set_auto_pub_response(true);
    conn.set_auto_ping_response(true);
    let ping_patience = settings.connect_timeout.as_millis().min(u64::MAX as u128) as u64;
    conn.set_pingresp_recv_timeout(ping_patience);
    let mut session = Session {
        settings: &settings,
        requests: &requests,
        news: &news,
        flow,
        backlog: VecDeque::new(),
        unacknowledged: FxHashMap::default(),
        conn,
        connected: false,
        subscribing: FxHashMap::default(),
    };
    let mut pause = FIRST_PAUSE;
    loop {
        session.connected = false;
        let reason = match session.attempt().await {
            End::Stopped => return "disconnected".into(),
            End::Dropped => return "dropped".into(),
            End::Lost(reason) => reason,
        };
        for event in session.conn.notify_closed() {
            if let Event::NotifyPacketIdReleased(id) = event {
                session.unacknowledged.remove(&id);
            }
        }
        // A connection that worked starts the pauses over.
        if session.connected {
            pause = FIRST_PAUSE;
        }
        news(News::Disconnected(reason.clone()));
        if !settings.reconnect {
            return reason;
        }
        news(News::Reconnecting(pause));
        // Requests made meanwhile wait for the next connection.
        let deadline = Instant::now() + pause;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match timeout(left, requests.recv()).await {
                None => break,
                Some(Err(_)) => return "dropped".into(),
                Some(Ok(Request::Disconnect)) => return "disconnected".into(),
                Some(Ok(request)) => session.backlog.push_back(request),
            }
        }
        pause = (pause * 2).min(LAST_PAUSE);
    }
}

/// What wakes a connection up.
enum Input {
    Read(std::io::Result<usize>),
    Request(Option<Request>),
    Timer,
}

struct Session<'a, F> {
    settings: &'a Settings,
    requests: &'a Receiver<Request>,
    news: &'a F,
    /// The broker's socket is read only while this has room, so a broker
    /// that floods waits until the VM has taken its messages.
    flow: &'a Inflow,
    /// Requests waiting for a connection or a free packet id.
    backlog: VecDeque<Request>,
    /// The window credits of QoS 1 and 2 messages the broker has not yet
    /// acknowledged, by packet id.
    unacknowledged: FxHashMap<u16, Credit>,
    conn: Connection<role::Client>,
    /// Whether the broker accepted this connection.
    connected: bool,
    /// The topic filter of each SUBSCRIBE not yet acknowledged, by packet id.
    subscribing: FxHashMap<u16, String>,
}

/// The protocol's timers: pings to send, answers to wait for.
#[derive(Default)]
struct Timers([Option<Instant>; 3]);

impl Timers {
    fn slot(kind: TimerKind) -> usize {
        match kind {
            TimerKind::PingreqSend => 0,
            TimerKind::PingreqRecv => 1,
            TimerKind::PingrespRecv => 2,
        }
    }

    fn next(&self) -> Option<Instant> {
        self.0.iter().flatten().min().copied()
    }

    /// The timers due now, cleared.
    fn due(&mut self) -> Vec<TimerKind> {
        let now = Instant::now();
        let kinds = [
            TimerKind::PingreqSend,
            TimerKind::PingreqRecv,
            TimerKind::PingrespRecv,
        ];
        let mut due = Vec::new();
        for kind in kinds {
            let slot = &mut self.0[Self::slot(kind)];
            if slot.is_some_and(|at| at <= now) {
                *slot = None;
                due.push(kind);
            }
        }
        due
    }
}

impl<F: Fn(News) -> bool> Session<'_, F> {
    /// One connection: connects, then runs until it ends.
    async fn attempt(&mut self) -> End {
        let settings = self.settings;
        let limit = settings.connect_timeout;
        let stream = match timeout(
            limit,
            super::connect(&settings.host, settings.port, settings.tls.clone()),
        )
        .await
        {
            Some(Ok(stream)) => stream,
            Some(Err(e)) => return End::Lost(e),
            None => {
                return End::Lost(format!(
                    "connecting timed out after {} ms",
                    limit.as_millis()
                ));
            }
        };
        let (mut reader, mut writer) = futures_lite::io::split(stream);
        let mut timers = Timers::default();
        let connect_by = Instant::now() + limit;
        let events = match connect_packet(settings) {
            Ok(packet) => self.conn.send(packet),
            Err(e) => return End::Lost(format!("bad CONNECT: {e}")),
        };
        if let Err(end) = self.handle(events, &mut writer, &mut timers).await {
            return end;
        }
        let mut buf = vec![0u8; 16 * 1024];
        // Whether a request waits for a packet id to come free.
        let mut blocked = false;
        loop {
            if self.connected
                && !blocked
                && let Some(request) = self.backlog.pop_front()
            {
                if matches!(request, Request::Disconnect) {
                    return self.stop(&mut writer, &mut timers).await;
                }
                match self.request(request, &mut writer, &mut timers).await {
                    Ok(true) => {}
                    Ok(false) => blocked = true,
                    Err(end) => return end,
                }
                continue;
            }
            let wake = match (self.connected, timers.next()) {
                (false, Some(at)) => Some(at.min(connect_by)),
                (false, None) => Some(connect_by),
                (true, at) => at,
            };
            let take_requests = self.connected && !blocked;
            let input = futures_lite::future::or(
                async {
                    self.flow.room().await;
                    Input::Read(reader.read(&mut buf).await)
                },
                futures_lite::future::or(
                    async {
                        if !take_requests {
                            return std::future::pending().await;
                        }
                        Input::Request(self.requests.recv().await.ok())
                    },
                    async {
                        match wake {
                            Some(at) => {
                                runtime::sleep(at.saturating_duration_since(Instant::now())).await
                            }
                            None => std::future::pending().await,
                        }
                        Input::Timer
                    },
                ),
            )
            .await;
            let events = match input {
                Input::Read(Ok(0)) => {
                    return End::Lost("the broker closed the connection".into());
                }
                Input::Read(Err(e)) => return End::Lost(e.to_string()),
                Input::Read(Ok(n)) => {
                    // The protocol takes one packet per call.
                    let mut cursor = Cursor::new(buf.get(..n).unwrap_or_default());
                    let mut events = Vec::new();
                    loop {
                        let at = cursor.position();
                        events.extend(self.conn.recv(&mut cursor));
                        if cursor.position() as usize >= n || cursor.position() == at {
                            break;
                        }
                    }
                    events
                }
                Input::Request(None) => return End::Dropped,
                Input::Request(Some(Request::Disconnect)) => {
                    return self.stop(&mut writer, &mut timers).await;
                }
                Input::Request(Some(request)) => {
                    self.backlog.push_back(request);
                    continue;
                }
                Input::Timer => {
                    if !self.connected && Instant::now() >= connect_by {
                        return End::Lost(format!(
                            "the broker did not answer CONNECT within {} ms",
                            limit.as_millis()
                        ));
                    }
                    let mut events = Vec::new();
                    for kind in timers.due() {
                        events.extend(self.conn.notify_timer_fired(kind));
                    }
                    events
                }
            };
            if events
                .iter()
                .any(|e| matches!(e, Event::NotifyPacketIdReleased(_)))
            {
                blocked = false;
            }
            if let Err(end) = self.handle(events, &mut writer, &mut timers).await {
                return end;
            }
        }
    }

    /// Sends DISCONNECT and closes the connection.
    async fn stop(
        &mut self,
        writer: &mut (impl AsyncWriteExt + Unpin),
        timers: &mut Timers,
    ) -> End {
        let events = match disconnect_packet(self.settings.version) {
            Ok(packet) => self.conn.send(packet),
            Err(_) => Vec::new(),
        };
        let _ = self.handle(events, writer, timers).await;
        let _ = writer.close().await;
        End::Stopped
    }

    /// Sends what `request` asks for. `Ok(false)` when no packet id is
    /// free: the request then waits at the head of the backlog.
    async fn request(
        &mut self,
        mut request: Request,
        writer: &mut (impl AsyncWriteExt + Unpin),
        timers: &mut Timers,
    ) -> Result<bool, End> {
        let version = self.settings.version;
        let needs_id = match &request {
            Request::Publish { qos, .. } => *qos != Qos::AtMostOnce,
            Request::Subscribe(..) | Request::Unsubscribe(..) => true,
            Request::Disconnect => false,
        };
        let id = if needs_id {
            match self.conn.acquire_packet_id() {
                Ok(id) => Some(id),
                Err(_) => {
                    self.backlog.push_front(request);
                    return Ok(false);
                }
            }
        } else {
            None
        };
        if let (Request::Subscribe(topic, ..), Some(id)) = (&request, id) {
            self.subscribing.insert(id, topic.clone());
        }
        let credit = match &mut request {
            Request::Publish { credit, .. }
            | Request::Subscribe(_, _, credit)
            | Request::Unsubscribe(_, credit) => credit.take(),
            Request::Disconnect => None,
        };
        let packet = match request_packet(version, request, id.unwrap_or(0)) {
            Ok(packet) => packet,
            Err(e) => {
                if let Some(id) = id {
                    let _ = self.conn.release_packet_id(id);
                }
                // A topic the protocol cannot carry: the request is dropped,
                // as one the broker refused would be.
                (self.news)(News::Disconnected(format!("bad request: {e}")));
                return Ok(true);
            }
        };
        let events = self.conn.send(packet);
        self.handle(events, writer, timers).await?;
        if let (Some(id), Some(credit)) = (id, credit) {
            self.unacknowledged.insert(id, credit);
        }
        Ok(true)
    }

    /// Carries out what the protocol asks for: bytes out, timers, news.
    async fn handle(
        &mut self,
        events: Vec<Event>,
        writer: &mut (impl AsyncWriteExt + Unpin),
        timers: &mut Timers,
    ) -> Result<(), End> {
        let mut out = Vec::new();
        let mut failure = None;
        let mut close = false;
        for event in events {
            match event {
                Event::RequestSendPacket { packet, .. } => {
                    out.extend_from_slice(&packet.to_continuous_buffer());
                }
                Event::NotifyPacketReceived(packet) => {
                    if let Err(refusal) = self.received(packet) {
                        failure = Some(refusal);
                        close = true;
                    }
                }
                Event::RequestTimerReset { kind, duration_ms } => {
                    timers.0[Timers::slot(kind)] =
                        Some(Instant::now() + Duration::from_millis(duration_ms));
                }
                Event::RequestTimerCancel(kind) => timers.0[Timers::slot(kind)] = None,
                Event::NotifyError(e) => {
                    failure.get_or_insert_with(|| e.to_string());
                }
                Event::RequestClose => close = true,
                Event::NotifyPacketIdReleased(id) => {
                    self.unacknowledged.remove(&id);
                }
            }
        }
        if !out.is_empty() {
            let written = async {
                writer.write_all(&out).await?;
                writer.flush().await
            }
            .await;
            if let Err(e) = written {
                return Err(End::Lost(e.to_string()));
            }
        }
        if close {
            let reason = failure.unwrap_or_else(|| "the connection was closed".into());
            return Err(End::Lost(reason));
        }
        Ok(())
    }

    /// Reacts to a packet from the broker; `Err` is a refused connection.
    fn received(&mut self, packet: GenericPacket<u16>) -> Result<(), String> {
        match packet {
            GenericPacket::V3_1_1Connack(connack) => {
                let code = connack.return_code();
                if code.is_failure() {
                    return Err(format!("the broker refused the connection: {code}"));
                }
                self.accepted();
            }
            GenericPacket::V5_0Connack(connack) => {
                let code = connack.reason_code();
                if code != ConnectReasonCode::Success {
                    return Err(format!("the broker refused the connection: {code}"));
                }
                self.accepted();
            }
            GenericPacket::V3_1_1Publish(publish) => {
                (self.news)(News::Message {
                    topic: publish.topic_name().to_string(),
                    payload: publish.payload().as_slice().to_vec(),
                    qos: publish.qos(),
                    retain: publish.retain(),
                });
            }
            GenericPacket::V5_0Publish(publish) => {
                (self.news)(News::Message {
                    topic: publish.topic_name().to_string(),
                    payload: publish.payload().as_slice().to_vec(),
                    qos: publish.qos(),
                    retain: publish.retain(),
                });
            }
            GenericPacket::V3_1_1Suback(suback) => {
                let codes = suback.return_codes();
                let refused = codes.iter().find(|c| c.is_failure()).map(|&c| c as u8);
                self.acknowledged(suback.packet_id(), refused);
            }
            GenericPacket::V5_0Suback(suback) => {
                let codes = suback.reason_codes();
                let refused = codes.iter().find(|c| c.is_failure()).map(|&c| c as u8);
                self.acknowledged(suback.packet_id(), refused);
            }
            _ => {}
        }
        Ok(())
    }

    /// A SUBACK: tells of the subscription's refusal, if it was refused.
    fn acknowledged(&mut self, id: u16, refused: Option<u8>) {
        let topic = self.subscribing.remove(&id);
        if let (Some(topic), Some(code)) = (topic, refused) {
            (self.news)(News::Refused { topic, code });
        }
    }

    fn accepted(&mut self) {
        self.connected = true;
        (self.news)(News::Connected);
    }
}

/// The CONNECT packet of `settings`' protocol version.
fn connect_packet(s: &Settings) -> Result<GenericPacket<u16>, MqttError> {
    // The two versions' builders have the same methods but distinct types.
    macro_rules! build {
        ($version:ident, $clean:ident, $variant:ident) => {{
            let mut b = $version::Connect::builder()
                .client_id(s.client_id.as_str())?
                .$clean(s.clean)
                .keep_alive(s.keep_alive);
            if let Some(will) = &s.will {
                b = b.will_message(
                    will.topic.as_str(),
                    will.payload.clone(),
                    will.qos,
                    will.retain,
                )?;
            }
            if let Some(name) = &s.username {
                b = b.user_name(name.as_str())?;
            }
            if let Some(password) = &s.password {
                b = b.password(password.clone())?;
            }
            GenericPacket::$variant(b.build()?)
        }};
    }
    Ok(match s.version {
        Version::V3_1_1 => build!(v3_1_1, clean_session, V3_1_1Connect),
        _ => build!(v5_0, clean_start, V5_0Connect),
    })
}

fn disconnect_packet(version: Version) -> Result<GenericPacket<u16>, MqttError> {
    Ok(match version {
        Version::V3_1_1 => GenericPacket::V3_1_1Disconnect(v3_1_1::Disconnect::builder().build()?),
        _ => GenericPacket::V5_0Disconnect(v5_0::Disconnect::builder().build()?),
    })
}

/// The packet for `request`, with packet id `id` where it needs one.
fn request_packet(
    version: Version,
    request: Request,
    id: u16,
) -> Result<GenericPacket<u16>, MqttError> {
    macro_rules! build {
        ($version:ident, $publish:ident, $subscribe:ident, $unsubscribe:ident) => {
            match request {
                Request::Publish {
                    topic,
                    payload,
                    qos,
                    retain,
                    ..
                } => {
                    let mut b = $version::Publish::builder()
                        .topic_name(topic.as_str())?
                        .qos(qos)
                        .retain(retain)
                        .payload(payload);
                    if qos != Qos::AtMostOnce {
                        b = b.packet_id(id);
                    }
                    GenericPacket::$publish(b.build()?)
                }
                Request::Subscribe(topic, qos, _) => {
                    let entry = SubEntry::new(topic.as_str(), SubOpts::new().set_qos(qos))?;
                    let packet = $version::Subscribe::builder()
                        .packet_id(id)
                        .entries(vec![entry])
                        .build()?;
                    GenericPacket::$subscribe(packet)
                }
                Request::Unsubscribe(topic, _) => {
                    let packet = $version::Unsubscribe::builder()
                        .packet_id(id)
                        .entries(vec![topic.as_str()])?
                        .build()?;
                    GenericPacket::$unsubscribe(packet)
                }
                Request::Disconnect => return disconnect_packet(version),
            }
        };
    }
    Ok(match version {
        Version::V3_1_1 => build!(v3_1_1, V3_1_1Publish, V3_1_1Subscribe, V3_1_1Unsubscribe),
        _ => build!(v5_0, V5_0Publish, V5_0Subscribe, V5_0Unsubscribe),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(packet: GenericPacket<u16>) -> Vec<u8> {
        packet.to_continuous_buffer()
    }

    #[test]
    fn publish_packets_follow_each_version() {
        let publish = || Request::Publish {
            topic: "a/b".into(),
            payload: b"hi".to_vec(),
            qos: Qos::AtLeastOnce,
            retain: true,
            credit: None,
        };
        let old = request_packet(Version::V3_1_1, publish(), 7).expect("3.1.1 publish");
        // Fixed header (PUBLISH, QoS 1, retain), length, topic, packet id, payload.
        assert_eq!(
            bytes(old),
            vec![0x33, 9, 0, 3, b'a', b'/', b'b', 0, 7, b'h', b'i']
        );
        // Version 5 adds an empty property length after the packet id.
        let new = request_packet(Version::V5_0, publish(), 7).expect("5 publish");
        assert_eq!(
            bytes(new),
            vec![0x33, 10, 0, 3, b'a', b'/', b'b', 0, 7, 0, b'h', b'i']
        );
    }

    #[test]
    fn connect_names_the_protocol_level() {
        let settings = |version| Settings {
            host: "localhost".into(),
            port: 1883,
            tls: None,
            version,
            client_id: "c".into(),
            username: Some("u".into()),
            password: Some(b"p".to_vec()),
            keep_alive: 30,
            clean: true,
            will: None,
            reconnect: false,
            connect_timeout: Duration::from_secs(1),
        };
        let old = bytes(connect_packet(&settings(Version::V3_1_1)).expect("3.1.1 connect"));
        // Protocol name "MQTT" then level 4; user name, password and clean
        // session flags.
        assert_eq!(old.get(2..9), Some(&[0, 4, b'M', b'Q', b'T', b'T', 4][..]));
        assert_eq!(old.get(9), Some(&0b1100_0010));
        let new = bytes(connect_packet(&settings(Version::V5_0)).expect("5 connect"));
        assert_eq!(new.get(8), Some(&5));
    }
}
