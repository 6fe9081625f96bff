//! The capsule ABI: treVM's capsules, Wasm components of the worlds in
//! `capsules/wit/capsule.wit`, run by a runtime with the Component Model
//! ([`Components`]; today the `trevm` variant).
//!
//! A capsule is one of two kinds:
//! - **ephemeral** (`run() -> s32`): instantiated, run once, dropped. The
//!   measured interval is the `run` call; it verified when `run` returned
//!   0, and, when it imports the OS bindings, logged at least once;
//! - **persistent** (exports `trevm:capsule/handler`): instantiated, `init`
//!   called, then it answers [`script`]'s requests, as a CoAP resource
//!   under its own path would. The measured interval is `init` plus the
//!   whole script; it verified when every response is the one the script
//!   expects ([`Expect`]). A capsule with the OS bindings also answers
//!   `GET sensor` with the fake sensor's reading plus noise.
//!
//! The OS bindings (log, rng, timer, sensor) are served by [`Env`], the
//! same on every board: a deterministic random generator and a fake
//! sensor whose readings are known, so that a run is repeatable and its
//! answers checkable.

use alloc_crate::boxed::Box;
use alloc_crate::format;
use alloc_crate::vec::Vec;

use crate::abi::Outcome;
use crate::engine::{Clock, Runtime};
use crate::error::{Error, ErrorKind, Stage};

/// What a capsule is, from its exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Exports `run() -> s32`.
    Ephemeral,
    /// Exports the `handler` interface.
    Persistent,
}

/// A CoAP request method (the WIT `handler.method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// DELETE
    Delete,
}

impl Method {
    /// Every method, in CoAP code order.
    pub const ALL: [Method; 4] = [Method::Get, Method::Post, Method::Put, Method::Delete];

    /// The CoAP request code (0.01 GET .. 0.04 DELETE).
    pub const fn code(self) -> u8 {
        match self {
            Method::Get => 1,
            Method::Post => 2,
            Method::Put => 3,
            Method::Delete => 4,
        }
    }

    /// The method of a CoAP request code, if it is one of these.
    pub fn from_code(code: u8) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.code() == code)
    }
}

/// A capsule's answer to one request (the WIT `handler.response`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// CoAP response code, class × 32 + detail.
    pub code: u8,
    /// The payload.
    pub payload: Vec<u8>,
}

impl Response {
    /// An answer whose payload is `text`.
    pub fn text(code: u8, text: &str) -> Self {
        Response {
            code,
            payload: text.as_bytes().to_vec(),
        }
    }
}

/// CoAP 2.04 Changed.
pub const CHANGED: u8 = 2 * 32 + 4;
/// CoAP 2.05 Content.
pub const CONTENT: u8 = 2 * 32 + 5;
/// CoAP 4.04 Not Found.
pub const NOT_FOUND: u8 = 4 * 32 + 4;

/// Largest noise the capsules add to a sensor reading, either way.
pub const NOISE: i32 = 10;

/// The level of a log message (the WIT `log.level`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// error
    Error,
    /// warn
    Warn,
    /// info
    Info,
    /// debug
    Debug,
}

/// A sensor reading: `value` × 10^`scaling` in `unit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    /// The raw value.
    pub value: i32,
    /// Decimal exponent.
    pub scaling: i8,
    /// Unit.
    pub unit: &'static str,
}

/// Why the sensor could not answer (the WIT `sensor.sensor-error`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SensorError {
    /// `read` before `trigger`.
    NotReady,
}

/// The OS side of a capsule: what its imports do, and what they saw.
#[derive(Debug)]
pub struct Env {
    clock: Clock,
    origin: u64,
    rng: u32,
    measurements: u32,
    pending: bool,
    last: Option<Reading>,
    /// Messages logged.
    pub logs: u32,
    /// Bytes logged.
    pub log_bytes: usize,
}

impl Env {
    /// A fresh environment: the random generator seeded, no reading yet.
    pub fn new(clock: Clock) -> Self {
        Env {
            origin: (clock.now)(),
            clock,
            rng: 0x2545_f491,
            measurements: 0,
            pending: false,
            last: None,
            logs: 0,
            log_bytes: 0,
        }
    }

    /// `log.log`: counts the message (the boards have no console to spare
    /// for it; the host prints nothing either, so every board does the
    /// same work).
    pub fn log(&mut self, _level: Level, message: &str) {
        self.logs += 1;
        self.log_bytes += message.len();
    }

    /// `rng.next-u32`: xorshift32, the same sequence on every board.
    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        x
    }

    /// `timer.now-us`: microseconds since the capsule's instantiation (on
    /// a board whose clock counts instructions, nominal microseconds).
    pub fn now_us(&self) -> u64 {
        let ticks = (self.clock.now)().wrapping_sub(self.origin);
        (ticks as u128 * 1_000_000 / self.clock.hz.max(1) as u128) as u64
    }

    /// `sensor.trigger`: starts a measurement of the fake temperature
    /// sensor (21.50 °C, rising 0.07 °C a measurement, wrapping at 25 °C).
    pub fn trigger(&mut self) {
        self.measurements += 1;
        self.pending = true;
    }

    /// `sensor.read`: the reading of the last measurement.
    pub fn read(&mut self) -> Result<Reading, SensorError> {
        if !self.pending {
            return Err(SensorError::NotReady);
        }
        self.pending = false;
        let r = Reading {
            value: 2150 + (self.measurements as i32 * 7) % 350,
            scaling: -2,
            unit: "Cel",
        };
        self.last = Some(r);
        Ok(r)
    }

    /// The clock the timer reads.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The last reading the capsule was given.
    pub fn last_reading(&self) -> Option<Reading> {
        self.last
    }
}

/// A capsule instance.
pub trait Capsule {
    /// Ephemeral or persistent.
    fn kind(&self) -> Kind;
    /// Whether it imports the OS bindings.
    fn has_bindings(&self) -> bool;
    /// Ephemeral: calls `run`.
    fn run(&mut self) -> Result<i32, Error>;
    /// Persistent: calls `handler.init`.
    fn init(&mut self) -> Result<(), Error>;
    /// Persistent: calls `handler.handle`.
    fn handle(&mut self, method: Method, path: &str, payload: &[u8]) -> Result<Response, Error>;
    /// The OS side.
    fn env(&self) -> &Env;
    /// Largest linear memory the capsule had, in bytes, when the runtime
    /// tells.
    fn memory_size(&self) -> Option<usize>;
}

/// A runtime's Component Model host.
pub trait Components {
    /// Loads and instantiates a capsule (in the runtime's prepared form)
    /// with the OS bindings served by `env`. A component of none of the
    /// capsule worlds is an [`ErrorKind::Link`] error.
    ///
    /// Takes `&self`: an update holds the old and the new capsule at once.
    fn load<'a>(&'a self, capsule: &'a [u8], env: Env) -> Result<Box<dyn Capsule + 'a>, Error>;
}

/// What a persistent capsule must answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// This code and payload.
    Exactly(u8, u32),
    /// This code, no payload.
    Code(u8),
    /// 2.05 with the last sensor reading as `i32` LE, within [`NOISE`].
    Reading,
}

/// One scripted request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// Path below the capsule's prefix.
    pub path: &'static str,
    /// Payload: a `u32` LE, when there is one.
    pub payload: Option<u32>,
    /// The answer it must get.
    pub expect: Expect,
}

/// Requests `POST add` of the script.
pub const ADDS: u32 = 100;
/// Requests `GET sensor` of the script (capsules with bindings).
pub const SENSOR_READS: u32 = 10;

/// The requests a persistent capsule answers in a cell: [`ADDS`] × `POST
/// add` (1, 2, ...; each answered 2.04 with the new sum), `GET sum`, `GET`
/// of a path it does not have (4.04), and, with bindings,
/// [`SENSOR_READS`] × `GET sensor`.
pub fn script(bindings: bool) -> impl Iterator<Item = Request> {
    let adds = (1..=ADDS).map(|i| Request {
        method: Method::Post,
        path: "add",
        payload: Some(i),
        expect: Expect::Exactly(CHANGED, i * (i + 1) / 2),
    });
    let reads = [
        Request {
            method: Method::Get,
            path: "sum",
            payload: None,
            expect: Expect::Exactly(CONTENT, ADDS * (ADDS + 1) / 2),
        },
        Request {
            method: Method::Get,
            path: "nothing-here",
            payload: None,
            expect: Expect::Code(NOT_FOUND),
        },
    ];
    let sensor = (0..if bindings { SENSOR_READS } else { 0 }).map(|_| Request {
        method: Method::Get,
        path: "sensor",
        payload: None,
        expect: Expect::Reading,
    });
    adds.chain(reads).chain(sensor)
}

impl Expect {
    /// Whether `r` is the expected answer, given the environment after it.
    pub fn met(self, r: &Response, env: &Env) -> bool {
        match self {
            Expect::Exactly(code, v) => r.code == code && r.payload == v.to_le_bytes(),
            Expect::Code(code) => r.code == code && r.payload.is_empty(),
            Expect::Reading => {
                let (Some(reading), Ok(bytes)) = (
                    env.last_reading(),
                    <[u8; 4]>::try_from(r.payload.as_slice()),
                ) else {
                    return false;
                };
                r.code == CONTENT && (i32::from_le_bytes(bytes) - reading.value).abs() <= NOISE
            }
        }
    }
}

/// Runs one capsule on `runtime`; see the module's documentation.
pub fn run(runtime: &mut dyn Runtime, capsule: &[u8], clock: Clock) -> Result<Outcome, Error> {
    let label = runtime.info().label;
    let Some(host) = runtime.components() else {
        return Err(Error::new(
            ErrorKind::Unsupported,
            Stage::Load,
            format!("`{label}` does not host Wasm components (the capsule ABI)"),
        ));
    };
    let t0 = (clock.now)();
    let mut c = host.load(capsule, Env::new(clock))?;
    let load = (clock.now)().wrapping_sub(t0);
    let a = (clock.now)();
    let (verified, exit_code) = match c.kind() {
        Kind::Ephemeral => {
            let ret = c.run()?;
            let logged = !c.has_bindings() || c.env().logs > 0;
            (
                ret == 0 && logged,
                if ret == 0 && !logged { -1 } else { ret },
            )
        }
        Kind::Persistent => {
            c.init()?;
            let mut first_wrong = 0;
            for (i, req) in script(c.has_bindings()).enumerate() {
                let payload = req.payload.map(u32::to_le_bytes);
                let r = c.handle(req.method, req.path, payload.as_ref().map_or(&[], |p| p))?;
                if first_wrong == 0 && !req.expect.met(&r, c.env()) {
                    first_wrong = i as i32 + 1;
                }
            }
            (first_wrong == 0, first_wrong)
        }
    };
    let interval = (clock.now)().wrapping_sub(a);
    Ok(Outcome {
        verified,
        interval,
        load,
        score: None,
        iterations: None,
        linear_memory: c.memory_size(),
        exit_code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock() -> Clock {
        Clock {
            now: || 0,
            hz: 1_000_000,
            unit: "ns",
            source: "test",
        }
    }

    #[test]
    fn the_script_expects_running_sums() {
        let env = Env::new(clock());
        let reqs: Vec<_> = script(false).collect();
        assert_eq!(reqs.len() as u32, ADDS + 2);
        let third = Response {
            code: CHANGED,
            payload: 6u32.to_le_bytes().to_vec(),
        };
        assert!(reqs[2].expect.met(&third, &env));
        assert!(!reqs[1].expect.met(&third, &env));
        assert_eq!(script(true).count() as u32, ADDS + 2 + SENSOR_READS);
    }

    #[test]
    fn a_reading_must_be_within_the_noise() {
        let mut env = Env::new(clock());
        let answer = |v: i32| Response {
            code: CONTENT,
            payload: v.to_le_bytes().to_vec(),
        };
        assert!(!Expect::Reading.met(&answer(2150), &env), "no reading yet");
        assert_eq!(env.read(), Err(SensorError::NotReady));
        env.trigger();
        let r = env.read().unwrap();
        assert!(Expect::Reading.met(&answer(r.value + NOISE), &env));
        assert!(!Expect::Reading.met(&answer(r.value + NOISE + 1), &env));
    }

    #[test]
    fn methods_have_their_coap_codes() {
        for m in Method::ALL {
            assert_eq!(Method::from_code(m.code()), Some(m));
        }
        assert_eq!(Method::Put.code(), 3);
        assert_eq!(Method::from_code(5), None);
    }

    #[test]
    fn the_random_sequence_is_fixed() {
        let (mut a, mut b) = (Env::new(clock()), Env::new(clock()));
        let xs: Vec<u32> = (0..4).map(|_| a.next_u32()).collect();
        let ys: Vec<u32> = (0..4).map(|_| b.next_u32()).collect();
        assert_eq!(xs, ys);
        assert!(xs.windows(2).all(|w| w[0] != w[1]));
    }
}
