// Deterministic log-like text for the `inflate` workload. Included (with
// `include!`) both by `build.rs`, which compresses it at build time, and by
// `src/workloads/inflate.rs`, which regenerates it to verify the output. Keep
// it free of `std`.

/// Bytes of generated text.
const TEXT_LEN: usize = 16 * 1024;

const VOCAB: [&[u8]; 32] = [
    b"sensor", b"reading", b"temperature", b"humidity", b"pressure", b"node", b"gateway", b"battery",
    b"voltage", b"sample", b"window", b"average", b"threshold", b"alarm", b"cleared", b"raised",
    b"uplink", b"downlink", b"retry", b"ack", b"timeout", b"channel", b"rssi", b"snr",
    b"firmware", b"update", b"ok", b"error", b"calibration", b"offset", b"gain", b"drift",
];

/// Streams the text one byte at a time.
struct TextGen {
    rng: u32,
    /// The current word, or `None` while emitting `num`.
    word: Option<&'static [u8]>,
    num: [u8; 8],
    len: usize,
    pos: usize,
}

impl TextGen {
    const fn new() -> Self {
        TextGen { rng: 0x1F1A_7E01, word: None, num: [0; 8], len: 0, pos: 0 }
    }

    fn next_u32(&mut self) -> u32 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        x
    }

    /// Starts the next token: a word followed by a space, a number followed
    /// by a space, or a line end.
    fn refill(&mut self) {
        let r = self.next_u32();
        self.pos = 0;
        if r.is_multiple_of(8) {
            let mut n = (r >> 8) % 100_000;
            let mut digits = [0u8; 5];
            let mut d = 0;
            loop {
                digits[d] = b'0' + (n % 10) as u8;
                d += 1;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
            self.len = 0;
            while d > 0 {
                d -= 1;
                self.num[self.len] = digits[d];
                self.len += 1;
            }
            self.num[self.len] = b' ';
            self.len += 1;
            self.word = None;
        } else if r % 16 == 1 {
            self.word = Some(b".\n");
            self.len = 2;
        } else {
            let word = VOCAB[((r >> 4) % 32) as usize];
            self.word = Some(word);
            // The space after the word is produced by `next_byte`.
            self.len = word.len() + 1;
        }
    }

    fn next_byte(&mut self) -> u8 {
        if self.pos == self.len {
            self.refill();
        }
        let i = self.pos;
        self.pos += 1;
        match self.word {
            Some(w) if i < w.len() => w[i],
            Some(_) => b' ',
            None => self.num[i],
        }
    }
}
