use trevm_protocol::{parse, Line, Message, Number};

fn line(m: &Message<&str>) -> String {
    let mut s = String::new();
    m.write(&mut s).unwrap();
    s
}

fn owned(m: &Message<&str>) -> Message<String> {
    match parse(&line(m)).unwrap() {
        Line::Message(m) => m,
        other => panic!("not a message: {other:?}"),
    }
}

#[test]
fn every_message_round_trips() {
    let msgs: Vec<Message<&str>> = vec![
        Message::Hello {
            board: "qemu-m33",
            runtime: "wasmi",
            crate_name: "wasmi",
            version: "2.0.0",
            features: "validate",
            clock_unit: "instructions",
            clock_source: "SysTick (icount)",
            clock_hz: 20_000_000,
            heap: 400 * 1024,
        },
        Message::Cell {
            suite: "own",
            workload: "sha256",
            abi: "embench",
        },
        Message::Metric {
            name: "interval",
            value: Number::U64(123456789012),
            unit: "instructions",
        },
        Message::Metric {
            name: "score",
            value: Number::F64(15.375),
            unit: "iterations/s",
        },
        Message::Done {
            verified: true,
            exit: 0,
        },
        Message::Done {
            verified: false,
            exit: -3,
        },
        Message::Fail {
            kind: "trap",
            stage: "run",
            message: "wasm `unreachable` \"x\" \\ *=\n",
        },
        Message::Log { message: "" },
        Message::Reply {
            code: 68,
            payload: "62797465733d3431373031",
        },
        Message::Reply {
            code: 132,
            payload: "",
        },
        Message::Bye,
    ];
    for m in &msgs {
        let back = owned(m);
        assert_eq!(line(m), {
            let mut s = String::new();
            back.write(&mut s).unwrap();
            s
        });
        assert_eq!(back.kind(), m.kind());
    }
}

#[test]
fn plain_text_is_not_a_message() {
    assert_eq!(
        parse("memory allocation of 4 bytes failed\n").unwrap(),
        Line::Text("memory allocation of 4 bytes failed".into())
    );
}

#[test]
fn garbled_lines_are_errors() {
    let good = line(&Message::Cell {
        suite: "own",
        workload: "crc32",
        abi: "embench",
    });
    // flip one character of the payload
    let bad = good.replacen("crc32", "crc33", 1);
    assert!(parse(&bad).unwrap_err().reason.contains("checksum"));
    // truncated line
    let cut = &good[..good.len() - 8];
    assert!(parse(cut).is_err());
    // unknown kind with a valid checksum is still an error
    let mut s = String::new();
    Message::<&str>::Bye.write(&mut s).unwrap();
    let forged = s.replace("bye", "byx");
    assert!(parse(&forged).is_err());
}

#[test]
fn stray_bytes_before_the_prefix_are_skipped() {
    let good = line(&Message::<&str>::Done {
        verified: true,
        exit: 0,
    });
    let noisy = format!("\u{0}\u{0}xx{good}");
    assert_eq!(
        parse(&noisy).unwrap(),
        Line::Message(Message::Done {
            verified: true,
            exit: 0
        })
    );
}
