//! The failure vocabulary: why a cell failed ([`Kind`]) and where in its
//! life ([`Stage`]), with the names the results format and the line
//! protocol use on the wire.

use core::fmt;
use core::str::FromStr;

/// Declares a wire-named enum: variants, their wire names and meanings,
/// `ALL` in table order, `as_str`, `meaning`, `Display` and `FromStr`.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident, $what:literal { $($(#[$vm:meta])* $v:ident = $wire:literal, $meaning:literal;)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vm])* $v,)*
        }

        impl $name {
            /// Every value, in table order.
            pub const ALL: &'static [$name] = &[$($name::$v,)*];

            /// The name used in results files and protocol lines.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$v => $wire,)*
                }
            }

            /// What it means, in one sentence (the README's table).
            pub const fn meaning(self) -> &'static str {
                match self {
                    $($name::$v => $meaning,)*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, UnknownName> {
                match s {
                    $($wire => Ok($name::$v),)*
                    _ => Err(UnknownName { what: $what }),
                }
            }
        }

        #[cfg(feature = "std")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        #[cfg(feature = "std")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(|_| {
                    let names: std::vec::Vec<&str> = $name::ALL.iter().map(|k| k.as_str()).collect();
                    serde::de::Error::custom(std::format!(
                        "unknown {} `{s}` (known: {})", $what, names.join(", ")
                    ))
                })
            }
        }
    };
}

vocabulary! {
    /// Why a cell failed: `error.kind` of a record.
    Kind, "failure kind" {
        /// The module (or its prepared form) is invalid.
        Malformed = "malformed", "the module (or its prepared form) is invalid";
        /// An import cannot be resolved, or an export is missing or mistyped.
        Link = "link", "an import cannot be resolved, or an export is missing or mistyped";
        /// The guest trapped.
        Trap = "trap", "the guest trapped";
        /// Fuel ran out (runtimes with fuel metering).
        OutOfFuel = "out-of-fuel", "fuel ran out (`trevm`)";
        /// A budget was exceeded: heap, linear memory or the Wasm stack.
        OutOfMemory = "out-of-memory", "a budget was exceeded: heap, linear memory or the Wasm stack";
        /// No result within the time budget; the cell was stopped.
        Timeout = "timeout", "no result within the time budget; the cell was killed";
        /// The cell process or the board died without a result.
        Crash = "crash", "the cell process or the board died without a result (hard fault, stack overflow, QEMU crash)";
        /// The workload ran but its self-check failed.
        Verify = "verify", "the workload's self-check failed";
        /// A protocol line was garbled or the target could not be read.
        Transport = "transport", "a protocol line was garbled, or the target could not be read";
        /// The runtime variant's program or firmware is not built (or does
        /// not fit the chip).
        Build = "build", "the variant is not built, or its firmware does not fit the chip";
        /// The runtime cannot do what was asked.
        Unsupported = "unsupported", "the runtime cannot do this";
        /// A bug in the harness (or an unexplained runtime failure).
        Internal = "internal", "a harness bug";
    }
}

vocabulary! {
    /// Where in a cell's life it failed: `error.stage` of a record.
    Stage, "failure stage" {
        /// Building the program or firmware.
        Build = "build", "building the cell program or firmware";
        /// Host-side preparation (precompiling, side tables, slot image).
        Prepare = "prepare", "host-side preparation of the module (precompiling, side tables, slot image)";
        /// Decoding and validating the module.
        Load = "load", "decoding and validating the module";
        /// Linking imports and instantiating.
        Instantiate = "instantiate", "linking imports and instantiating";
        /// Calling the module's exports.
        Run = "run", "calling the module's exports";
        /// Getting the report from the target.
        Transport = "transport", "getting the report from the target";
    }
}

/// A name that is not in the vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownName {
    /// Which vocabulary (`failure kind`, `failure stage`).
    pub what: &'static str,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {}", self.what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_and_are_unique() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>(), Ok(*k));
            assert_eq!(
                Kind::ALL
                    .iter()
                    .filter(|o| o.as_str() == k.as_str())
                    .count(),
                1
            );
        }
        for s in Stage::ALL {
            assert_eq!(s.as_str().parse::<Stage>(), Ok(*s));
        }
        assert_eq!(Kind::ALL.len(), 12);
        assert!("segfault".parse::<Kind>().is_err());
    }
}
