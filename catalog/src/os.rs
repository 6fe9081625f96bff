//! Operating systems a firmware runs on: bare metal (this harness's own
//! start-up, heap and RTT, `firmware/`) or Ariel OS (the same cell code as
//! an Ariel OS application, `ariel/`, built with laze). Every record says
//! which (`meta.os`), and for Ariel OS at which commit.

/// One operating system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Os {
    /// Name on the command line (`--os`, `OS=`) and in `meta.os`.
    pub name: &'static str,
    /// What it is, in one line.
    pub description: &'static str,
    /// Where its firmware comes from.
    pub kind: OsKind,
}

/// How a firmware for an OS is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OsKind {
    /// `trevm-firmware` (cargo, in this workspace): our start-up code.
    Bare,
    /// `trevm-ariel`, an Ariel OS application built by laze.
    ArielOs,
}

/// Bare metal.
pub const BARE: Os = Os {
    name: "bare",
    description: "bare metal: this harness's start-up, heap and RTT (firmware/)",
    kind: OsKind::Bare,
};

/// Ariel OS.
pub const ARIEL_OS: Os = Os {
    name: "ariel-os",
    description: "Ariel OS: the cell code as an Ariel OS application (ariel/), built by laze",
    kind: OsKind::ArielOs,
};

/// Every OS, in table order.
pub const OSES: &[Os] = &[BARE, ARIEL_OS];

/// The Ariel OS every Ariel OS firmware is built with: the paper's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArielOsSource {
    /// Git repository.
    pub git: &'static str,
    /// The pinned commit.
    pub commit: &'static str,
    /// `git describe` of that commit.
    pub describe: &'static str,
}

/// Ariel OS at the commit the paper's firmware used (issue 12).
pub const ARIEL_OS_SOURCE: ArielOsSource = ArielOsSource {
    git: "https://github.com/ariel-os/ariel-os",
    commit: "90f41cfe52c86c96b09b276b44e1a40e14733058",
    describe: "v0.5.0-123-g90f41cfe",
};

/// An Ariel OS application that serves the treVM device over CoAP
/// (`ariel/src/coap.rs`) instead of running cells: a capsule host, or the
/// same server without one (the paper's minimal CoAP server, Table II).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoapApp {
    /// The laze application (`ariel/laze.yml`), also its ELF's name.
    pub name: &'static str,
    /// What it is.
    pub help: &'static str,
    /// The firmware build it is built as (its adapter, toolchain and
    /// flags): `trevm` hosts capsules, `none` has no runtime.
    pub build: &'static str,
}

impl CoapApp {
    /// Its firmware build.
    pub fn firmware_build(&self) -> &'static crate::runtime::FirmwareBuild {
        crate::runtime::find_build(self.build).expect("a CoAP app names a firmware build")
    }

    /// The runtime variant its build serves (its records' `runtime`):
    /// `trevm`, or `none`.
    pub fn runtime(&self) -> &'static str {
        let b = self.firmware_build();
        let label = b.serves().next();
        label.unwrap_or(crate::runtime::NO_RUNTIME)
    }

    /// Whether it hosts capsules (its runtime has the Component Model).
    pub fn hosts_capsules(&self) -> bool {
        crate::runtime::find(self.runtime()).is_some_and(|r| r.runs(crate::suite::Abi::Capsule))
    }
}

/// The CoAP applications, in table order.
pub const COAP_APPS: &[CoapApp] = &[
    CoapApp {
        name: "trevm-coap",
        help: "the treVM device: capsules deployed, updated and served over CoAP",
        build: "trevm",
    },
    CoapApp {
        name: "coap-minimal",
        help: "the same CoAP server without a capsule host (the minimal CoAP server)",
        build: "none",
    },
];

/// The Ariel OS laze modules a CoAP application selects, in this order (a
/// static IPv4 address, 10.42.0.61 on `native`'s TAP interface, before
/// the CoAP server selects a network configuration of its own; no
/// OSCORE: updates carry their own signature).
pub const COAP_MODULES: &[&str] = &[
    "network-config-ipv4-static",
    "coap-server",
    "coap-server-config-unprotected",
];

/// The runtime variant that hosts capsules on a CoAP device (what `trevm
/// deploy` prepares capsules for).
pub fn capsule_host() -> &'static str {
    COAP_APPS
        .iter()
        .find(|a| a.hosts_capsules())
        .map(CoapApp::runtime)
        .expect("a CoAP app hosts capsules")
}

/// The bare-metal device firmware: the treVM device serving capsule
/// deployments and requests over the RTT down channel
/// (`firmware/src/bare/device.rs`), for boards without a network. It is
/// the capsule host's firmware build with the cargo feature
/// [`RTT_DEVICE_FEATURE`]; its ELF is `build/firmware/<board>/<name>.elf`.
pub const RTT_DEVICE: &str = "trevm-device";

/// The cargo feature of `trevm-firmware` that makes a device firmware.
pub const RTT_DEVICE_FEATURE: &str = "device";

/// The firmware build the device firmware is built as: the capsule host's.
pub fn rtt_device_build() -> &'static crate::runtime::FirmwareBuild {
    let host = crate::runtime::find(capsule_host()).expect("the capsule host is a runtime");
    crate::runtime::find_build(host.build).expect("the capsule host has a build")
}

/// The CoAP application called `name`.
pub fn coap_app(name: &str) -> Option<&'static CoapApp> {
    COAP_APPS.iter().find(|a| a.name == name)
}

/// The OS called `name`.
pub fn find(name: &str) -> Option<&'static Os> {
    OSES.iter().find(|o| o.name == name)
}

/// The OS a board's name stands for when it names no OS: the board's only
/// OS when the catalog knows the board and it runs one, bare metal
/// otherwise (records from before the OS axis are bare metal).
pub fn implied(board: &str) -> &'static str {
    match crate::board::find(board) {
        Some(b) if b.oses.len() == 1 => b.oses[0].name,
        _ => BARE.name,
    }
}

/// The name of a board under an OS, in results file names
/// (`results/runs/<name>.jsonl`, `<name>-size.jsonl`) and in the report:
/// the board, with `-<os>` appended unless the OS is [`implied`]
/// (`nrf52840dk`, `nrf52840dk-ariel-os`, `ariel-native`).
#[cfg(feature = "std")]
pub fn platform_name(board: &str, os: &str) -> std::string::String {
    if os == implied(board) {
        board.into()
    } else {
        std::format!("{board}-{os}")
    }
}

impl Os {
    /// Whether this is Ariel OS.
    pub const fn is_ariel(&self) -> bool {
        matches!(self.kind, OsKind::ArielOs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::BOARDS;

    #[test]
    fn boards_say_which_oses_they_run() {
        for o in OSES {
            assert_eq!(find(o.name), Some(o));
        }
        for b in BOARDS {
            assert!(!b.oses.is_empty(), "{}", b.name);
            // An Ariel OS firmware needs Ariel OS's name for the board.
            assert_eq!(b.runs(&ARIEL_OS), b.ariel_builder.is_some(), "{}", b.name);
            // Ariel OS has no QEMU boards.
            if b.emulated() {
                assert_eq!(b.oses, [BARE], "{}", b.name);
            }
            // The paper's real boards default to Ariel OS, as the paper ran.
            if !b.emulated() && b.paper_board.is_some() && b.rustup_target {
                assert_eq!(b.default_os(), &ARIEL_OS, "{}", b.name);
                assert!(b.runs(&BARE), "{}", b.name);
            }
        }
        assert_eq!(ARIEL_OS_SOURCE.commit.len(), 40);
    }

    #[test]
    fn coap_apps_host_capsules_on_a_build_with_the_component_model() {
        for app in COAP_APPS {
            // Panics on a build the catalog does not have.
            let b = app.firmware_build();
            assert_eq!(app.hosts_capsules(), b.adapter.is_some(), "{}", app.name);
        }
        assert_eq!(capsule_host(), "trevm");
        assert!(
            COAP_APPS.iter().any(|a| !a.hosts_capsules()),
            "the minimal server"
        );
        assert_eq!(coap_app("coap-minimal").unwrap().runtime(), "none");
    }
}
