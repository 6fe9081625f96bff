//! `events`: a tiny discrete-event scheduler on `heapless` containers, the
//! kind of loop an RTOS timer service runs.
//!
//! 16 periodic tasks (generated periods and phases) are scheduled with a
//! `heapless::BinaryHeap` (min-heap keyed on `(due time, task)`); each due
//! event is handed to a consumer through a `heapless::spsc::Queue`, which
//! counts events per task, sums their times and checks that time never runs
//! backwards. The measured region simulates `HORIZON` time units, `REPEAT`
//! times. Verification is analytic: task `i` fires
//! `(HORIZON - phase) / period + 1` times at an arithmetic series of times,
//! so counts and time sums have closed forms computed from a fresh
//! regeneration of the task table.

use core::hint::black_box;

use heapless::binary_heap::{BinaryHeap, Min};
use heapless::spsc::Queue;

use crate::common::{status, Fault, XorShift32};
use crate::{Triggers, Workload};

/// The workload.
pub const WORKLOAD: Workload = Workload {
    name: "events",
    description:
        "heapless BinaryHeap timer scheduler + spsc Queue: 16 periodic tasks over 2000 ticks (x4)",
    run,
};

const TASKS: usize = 16;
/// Simulated time units per run.
const HORIZON: u32 = 2000;
/// Simulation runs.
pub const REPEAT: usize = 4;
const SEED: u32 = 0xE7E0_7501;
/// Queue slots (capacity is one less).
const QUEUE: usize = 8;

#[derive(Clone, Copy, PartialEq, Eq)]
struct Task {
    period: u32,
    phase: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Tally {
    count: u32,
    time_sum: u64,
    backwards: u32,
}

fn generate() -> [Task; TASKS] {
    let mut rng = XorShift32::new(SEED);
    let mut tasks = [Task {
        period: 1,
        phase: 0,
    }; TASKS];
    for t in &mut tasks {
        t.period = 3 + rng.below(97);
        t.phase = rng.below(t.period);
    }
    tasks
}

/// The consumer side: folds one event into the per-task tallies.
fn consume(queue: &mut Queue<(u32, u8), QUEUE>, tallies: &mut [Tally; TASKS], last: &mut u32) {
    while let Some((time, task)) = queue.dequeue() {
        let tally = &mut tallies[usize::from(task)];
        tally.count += 1;
        tally.time_sum += u64::from(time);
        if time < *last {
            tally.backwards += 1;
        }
        *last = time;
    }
}

/// One simulation of `tasks` up to `HORIZON`, adding into `tallies`.
/// Returns false if a container overflowed.
fn simulate(tasks: &[Task; TASKS], tallies: &mut [Tally; TASKS]) -> bool {
    let mut heap: BinaryHeap<(u32, u8), Min, TASKS> = BinaryHeap::new();
    let mut queue: Queue<(u32, u8), QUEUE> = Queue::new();
    let mut last = 0u32;
    let mut ok = true;
    for (i, t) in tasks.iter().enumerate() {
        ok &= heap.push((t.phase, i as u8)).is_ok();
    }
    while let Some((time, task)) = heap.pop() {
        if time > HORIZON {
            break;
        }
        if queue.is_full() {
            consume(&mut queue, tallies, &mut last);
        }
        ok &= queue.enqueue((time, task)).is_ok();
        ok &= heap
            .push((time + tasks[usize::from(task)].period, task))
            .is_ok();
    }
    consume(&mut queue, tallies, &mut last);
    ok
}

/// Closed form of one task's tally after `runs` simulations.
fn expected_tally(t: &Task, runs: u32) -> Tally {
    if t.phase > HORIZON {
        return Tally {
            count: 0,
            time_sum: 0,
            backwards: 0,
        };
    }
    let n = u64::from((HORIZON - t.phase) / t.period + 1);
    let sum = n * u64::from(t.phase) + u64::from(t.period) * n * (n - 1) / 2;
    Tally {
        count: n as u32 * runs,
        time_sum: sum * u64::from(runs),
        backwards: 0,
    }
}

fn run(t: &mut dyn Triggers) -> i32 {
    run_with(t, Fault::None)
}

pub(crate) fn run_with(t: &mut dyn Triggers, fault: Fault) -> i32 {
    t.initialise_board();
    let mut tasks = generate();
    if fault == Fault::Input {
        tasks[6].period ^= 1 << 4;
    }

    t.start_trigger();
    let mut tallies = [Tally {
        count: 0,
        time_sum: 0,
        backwards: 0,
    }; TASKS];
    let mut ok = true;
    for _ in 0..REPEAT {
        ok &= simulate(black_box(&tasks), &mut tallies);
    }
    let ok = black_box(ok);
    t.stop_trigger();

    if fault == Fault::Output {
        tallies[3].count += 1;
    }
    let fresh = generate();
    let analytic = fresh
        .iter()
        .zip(tallies.iter())
        .all(|(task, got)| expected_tally(task, REPEAT as u32) == *got);
    status(ok && analytic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_matches_brute_force() {
        for task in generate() {
            let times: std::vec::Vec<u64> = (0..)
                .map(|k| u64::from(task.phase + k * task.period))
                .take_while(|&t| t <= u64::from(HORIZON))
                .collect();
            let e = expected_tally(&task, 1);
            assert_eq!(e.count as usize, times.len());
            assert_eq!(e.time_sum, times.iter().sum::<u64>());
        }
    }

    #[test]
    fn enough_events_and_queue_wraps() {
        let tasks = generate();
        let total: u32 = tasks.iter().map(|t| expected_tally(t, 1).count).sum();
        assert!(total > 500, "{total}");
        assert!(tasks.iter().any(|t| t.period < 20));
    }
}
