//! `trevm deploy`: sign a capsule and deploy it to a device that serves
//! the treVM device over CoAP (replacing the capsule running there).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use trevm_bench::capsule::CHANGED;
use trevm_runner::target::coap;
use trevm_runner::{deploy, select, suite, Error, Result};

/// The capsule `name` of the capsules suite (`make capsules` builds them).
fn capsule_of_suite(name: &str) -> Result<PathBuf> {
    let s = trevm_catalog::suite::find("capsules").expect("the catalog has the capsules suite");
    let found = suite::discover(s)?;
    let known: Vec<&str> = found.iter().map(|w| w.name.as_str()).collect();
    match found.iter().find(|w| w.name == name) {
        Some(w) => Ok(w.wasm.clone()),
        None => Err(Error::Deploy(format!(
            "no capsule `{name}` in the capsules suite (known: {}); or give a component's path",
            known.join(", ")
        ))),
    }
}

/// Deploy a capsule over CoAP: prepare it for `trevm`, sign it, PUT /vm1.
#[derive(clap::Args)]
pub struct Cmd {
    /// The capsule: a name of the capsules suite (`counter`; `make
    /// capsules` builds them) or the path of a component.
    #[arg(required_unless_present = "print_key")]
    capsule: Option<String>,
    /// The device, IP[:PORT] (ariel-native on its TAP interface:
    /// 10.42.0.61).
    #[arg(long, required_unless_present = "print_key")]
    to: Option<String>,
    /// The deployer's Ed25519 secret seed, 64 hex digits in a file. The
    /// device trusts its public key (printed here) as TREVM_UPDATE_KEY.
    #[arg(long)]
    key: PathBuf,
    /// The signer's name the device knows the key by (TREVM_UPDATE_KID).
    #[arg(long, default_value = "deployer")]
    kid: String,
    /// The device's board (its pointer width picks the precompiled form).
    #[arg(long, default_value = "ariel-native")]
    board: String,
    /// Only print the public key of --key (the device's TREVM_UPDATE_KEY).
    #[arg(long)]
    print_key: bool,
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self) -> Result<ExitCode> {
        if self.print_key {
            println!("{}", deploy::public_hex(&deploy::read_key(&self.key)?));
            return Ok(ExitCode::SUCCESS);
        }
        let board = select::board(&self.board)?;
        let (capsule, to) = (
            self.capsule.unwrap_or_default(),
            self.to.unwrap_or_default(),
        );
        let wasm = if capsule.ends_with(".wasm") {
            PathBuf::from(&capsule)
        } else {
            capsule_of_suite(&capsule)?
        };
        let to: SocketAddr = match to.parse() {
            Ok(a) => a,
            Err(_) => format!("{to}:{}", coap::PORT)
                .parse()
                .map_err(|_| Error::Deploy(format!("--to {to}: not IP[:PORT]")))?,
        };
        let key = deploy::read_key(&self.key)?;
        let envelope = deploy::envelope(&wasm, board, &key, &self.kid)?;
        println!(
            "deploy: {} ({} B signed by `{}`, public key {}) to coap://{to}/vm1",
            wasm.display(),
            envelope.len(),
            self.kid,
            deploy::public_hex(&key)
        );
        let r = deploy::send(&envelope, to)?;
        println!("deploy: {} {}", r.code_str(), r.text());
        Ok(if r.code == CHANGED {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    }
}
