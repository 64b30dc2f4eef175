//! Traffic counters behind `network_stats()`: reads and writes of player
//! connections, in total and per port, and of the sockets package. They
//! live on the VM thread, so plain cells suffice.

use std::cell::{Cell, RefCell};

use rustc_hash::FxHashMap;

/// Packets (one read or one write) and the bytes they carried.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count {
    pub packets: u64,
    pub volume: u64,
}

impl Count {
    fn add(cell: &Cell<Count>, bytes: usize) {
        let mut c = cell.get();
        c.packets += 1;
        c.volume += bytes as u64;
        cell.set(c);
    }
}

/// Which way bytes went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
}

#[derive(Debug, Default)]
pub struct Traffic {
    total: [Cell<Count>; 2],
    sockets: [Cell<Count>; 2],
    ports: RefCell<FxHashMap<u16, [Count; 2]>>,
}

fn slot(direction: Direction) -> usize {
    match direction {
        Direction::In => 0,
        Direction::Out => 1,
    }
}

impl Traffic {
    /// Bytes of a player connection on `port`.
    pub fn player(&self, port: u16, direction: Direction, bytes: usize) {
        let i = slot(direction);
        if let Some(total) = self.total.get(i) {
            Count::add(total, bytes);
        }
        let mut ports = self.ports.borrow_mut();
        if let Some(c) = ports.entry(port).or_default().get_mut(i) {
            c.packets += 1;
            c.volume += bytes as u64;
        }
    }

    /// Bytes of a socket of the sockets package; they count in the total
    /// too.
    pub fn socket(&self, direction: Direction, bytes: usize) {
        let i = slot(direction);
        if let Some(total) = self.total.get(i) {
            Count::add(total, bytes);
        }
        if let Some(sockets) = self.sockets.get(i) {
            Count::add(sockets, bytes);
        }
    }

    pub fn total(&self, direction: Direction) -> Count {
        self.total
            .get(slot(direction))
            .map_or_else(Count::default, Cell::get)
    }

    pub fn sockets(&self, direction: Direction) -> Count {
        self.sockets
            .get(slot(direction))
            .map_or_else(Count::default, Cell::get)
    }

    pub fn port(&self, port: u16, direction: Direction) -> Count {
        self.ports
            .borrow()
            .get(&port)
            .and_then(|c| c.get(slot(direction)).copied())
            .unwrap_or_default()
    }

    /// The counters by the names `network_stats()` gives them, for the
    /// listed ports.
    pub fn report(&self, ports: &[u16]) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        let mut add = |what: &str, count: Count, direction: Direction| {
            let way = match direction {
                Direction::In => "incoming",
                Direction::Out => "outgoing",
            };
            out.push((format!("{way} packets {what}"), count.packets));
            out.push((format!("{way} volume {what}"), count.volume));
        };
        for direction in [Direction::In, Direction::Out] {
            add("total", self.total(direction), direction);
            add("sockets", self.sockets(direction), direction);
            for &port in ports {
                add(
                    &format!("port {port}"),
                    self.port(port, direction),
                    direction,
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_per_port_and_in_total() {
        let t = Traffic::default();
        t.player(4000, Direction::In, 10);
        t.player(4000, Direction::In, 5);
        t.player(4001, Direction::Out, 7);
        t.socket(Direction::Out, 3);
        assert_eq!(
            t.total(Direction::In),
            Count {
                packets: 2,
                volume: 15
            }
        );
        assert_eq!(
            t.total(Direction::Out),
            Count {
                packets: 2,
                volume: 10
            }
        );
        assert_eq!(t.port(4001, Direction::Out).volume, 7);
        assert_eq!(t.port(4001, Direction::In), Count::default());
        assert_eq!(t.sockets(Direction::Out).packets, 1);
        let report = t.report(&[4000]);
        assert!(report.contains(&("incoming volume port 4000".to_string(), 15)));
        assert!(report.contains(&("outgoing packets sockets".to_string(), 1)));
        assert_eq!(report.len(), 12);
    }
}
