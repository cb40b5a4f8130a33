//! The std client's [`Socket`](wsguard::client::Socket) against scripted servers: the
//! core's connection answers pings and Closes, fails on protocol violations with its
//! Close, reassembles fragments, runs the heartbeat; the socket only moves bytes.

#[path = "common/scripted.rs"]
mod scripted;
use scripted::{scripted, Got};
use std::time::{Duration, Instant};
use tungstenite::protocol::frame::{coding::CloseCode, CloseFrame};
use tungstenite::Message;
use wsguard::client::{connect, connect_with_config, ConnectOptions, Connected, SocketError};
use wsguard_core::connection::{Config, Ending, Error as ConnError};
use wsguard_core::frame::{ProtocolError, Role};
use wsguard_core::heartbeat::HeartbeatConfig;

fn open(addr: std::net::SocketAddr) -> Connected {
    let mut o = ConnectOptions::new(format!("ws://{addr}/"));
    o.timeout = Duration::from_secs(3);
    let mut c = connect(&o).unwrap();
    c.socket
        .set_deadline(Some(Instant::now() + Duration::from_secs(3)));
    c
}

#[test]
fn fragments_are_reassembled_and_a_ping_between_them_is_answered() {
    let (addr, h) = scripted(|p| {
        p.send(b"\x01\x02he\x89\x02hb\x00\x01l\x80\x02lo");
        vec![p.next()]
    });
    let mut c = open(addr);
    assert_eq!(
        c.socket.read().unwrap(),
        Message::Ping(b"hb".to_vec().into())
    );
    assert_eq!(c.socket.read().unwrap(), Message::text("hello"));
    drop(c);
    assert_eq!(h.join().unwrap(), vec![Got::Pong(b"hb".to_vec())]);
}

#[test]
fn the_servers_close_is_echoed_then_the_socket_is_closed() {
    let (addr, h) = scripted(|p| {
        p.send(b"\x88\x05\x0f\xa1bye");
        vec![p.next(), p.next()]
    });
    let mut c = open(addr);
    let close = Message::Close(Some(CloseFrame {
        code: CloseCode::from(4001),
        reason: "bye".into(),
    }));
    assert_eq!(c.socket.read().unwrap(), close);
    let ended = Ending::Closed {
        code: 4001,
        by_peer: true,
    };
    assert!(matches!(c.socket.read(), Err(SocketError::Closed(e)) if e == ended));
    assert_eq!(c.socket.connection().close_reason(), "bye");
    drop(c);
    assert_eq!(
        h.join().unwrap(),
        vec![Got::Close(Some(4001), String::new()), Got::Eof]
    );
}

#[test]
fn a_masked_server_frame_fails_with_the_cores_close() {
    let (addr, h) = scripted(|p| {
        p.send(b"\x81\x82\x01\x02\x03\x04ik");
        vec![p.next()]
    });
    let mut c = open(addr);
    assert!(matches!(
        c.socket.read(),
        Err(SocketError::Protocol(ProtocolError::MaskedFrame))
    ));
    assert!(matches!(
        c.socket.read(),
        Err(SocketError::Closed(Ending::Failed(
            ProtocolError::MaskedFrame
        )))
    ));
    assert!(matches!(
        c.socket.send(Message::text("late")),
        Err(SocketError::Refused(ConnError::Closed))
    ));
    drop(c);
    assert_eq!(
        h.join().unwrap(),
        vec![Got::Close(Some(1002), "frame_masked_from_server".into())]
    );
}

#[test]
fn a_dropped_transport_is_lost_and_a_deadline_is_a_timeout() {
    let (addr, h) = scripted(|p| {
        std::thread::sleep(Duration::from_millis(300));
        let _ = p;
        Vec::new()
    });
    let mut c = open(addr);
    c.socket
        .set_deadline(Some(Instant::now() + Duration::from_millis(50)));
    assert!(matches!(c.socket.read(), Err(SocketError::Timeout)));
    c.socket.set_deadline(None);
    h.join().unwrap();
    assert!(matches!(
        c.socket.read(),
        Err(SocketError::Closed(Ending::Lost))
    ));
}

#[test]
fn pongs_and_invalid_close_codes_are_refused_before_anything_is_sent() {
    let (addr, h) = scripted(|p| vec![p.next()]);
    let mut c = open(addr);
    assert!(matches!(
        c.socket.send(Message::Pong(Vec::new().into())),
        Err(SocketError::Unsupported("a pong"))
    ));
    let bad = CloseFrame {
        code: CloseCode::from(1005),
        reason: "".into(),
    };
    assert!(matches!(
        c.socket.close(Some(bad)),
        Err(SocketError::Refused(ConnError::InvalidCloseCode(1005)))
    ));
    c.socket.send(Message::binary(vec![7, 8])).unwrap();
    assert_eq!(h.join().unwrap(), vec![Got::Data(vec![7, 8])]);
}

#[test]
fn the_heartbeat_pings_while_the_socket_waits() {
    let (addr, h) = scripted(|p| {
        let ping = p.next();
        if let Got::Ping(payload) = &ping {
            let mut pong = vec![0x8a, payload.len() as u8];
            pong.extend_from_slice(payload);
            pong.extend_from_slice(b"\x81\x04done");
            p.send(&pong);
        }
        vec![ping]
    });
    let mut o = ConnectOptions::new(format!("ws://{addr}/"));
    o.timeout = Duration::from_secs(3);
    let config =
        Config::new(Role::Server).with_heartbeat(HeartbeatConfig::new(50, 2_000, 2).unwrap());
    let mut c = connect_with_config(&o, config).unwrap();
    assert_eq!(c.socket.connection().role(), Role::Client);
    c.socket
        .set_deadline(Some(Instant::now() + Duration::from_secs(3)));
    assert!(matches!(c.socket.read(), Ok(Message::Pong(p)) if p.len() == 8));
    assert_eq!(c.socket.read().unwrap(), Message::text("done"));
    let seen = h.join().unwrap();
    assert!(
        matches!(&seen[..], [Got::Ping(p)] if p.len() == 8),
        "{seen:?}"
    );
}
