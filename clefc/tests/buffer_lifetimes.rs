//! Property: no compiled program touches a buffer's memory after it was
//! released or migrated. Random programs allocate buffers (`use` and
//! `let`), write, read, copy, migrate, alias them with a second `use`, and
//! hide some in module-level mutables through a function (an escape the
//! compiler cannot see); after the scope, they read what they hid. A model
//! of BAREWire's buffer semantics, written here independently of the
//! compiler, says what each program prints and where (if anywhere) it must
//! stop with a clean error. Each program is compiled and run; its stdout,
//! error and exit status must match the model's exactly: never a crash,
//! never a read of freed memory. The reference interpreter (`clefc
//! interp`) must print the same, byte for byte.
//!
//! `BUFFER_PROGRAMS=N` runs N programs instead of the default;
//! `BUFFER_PROGRAMS_SHOW=1` prints each.

mod common;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::fmt::Write as _;
use std::process::Command;

const STASHES: usize = 2;

#[derive(Clone, Copy, PartialEq, Debug)]
enum State {
    Live,
    Released,
    Migrated,
}

#[derive(Clone, Copy, PartialEq)]
enum Space {
    Cpu,
    Cxl,
}

impl Space {
    fn name(self) -> &'static str {
        match self {
            Space::Cpu => "cpu_mem",
            Space::Cxl => "cxl_mem",
        }
    }
}

/// One buffer object of the model (several names may refer to it).
struct Buffer {
    data: Vec<i32>,
    state: State,
    space: Space,
}

/// A name in the program's scope.
struct Name {
    name: String,
    buffer: usize,
    is_use: bool,
}

/// What the model says the run ends with.
enum End {
    Ok,
    /// Stops with an error containing this text.
    Fails(String),
}

struct Program {
    source: String,
    stdout: String,
    end: End,
}

/// Model and program are built together, statement by statement: each
/// statement is written to the source and executed on the model, until
/// the model fails (the rest would not run, so nothing more is written).
struct Gen {
    rng: StdRng,
    body: String,
    after: String,
    out: String,
    buffers: Vec<Buffer>,
    names: Vec<Name>,
    stash: [Option<usize>; STASHES],
    end: Option<String>,
}

impl Gen {
    fn live_access(&mut self, b: usize) -> bool {
        match self.buffers[b].state {
            State::Live => true,
            State::Released => {
                self.end = Some("cannot access the buffer: it was released".into());
                false
            }
            State::Migrated => {
                self.end = Some("cannot access the buffer: it was migrated".into());
                false
            }
        }
    }

    fn pick(&mut self) -> Option<usize> {
        if self.names.is_empty() {
            return None;
        }
        Some(self.rng.random_range(0..self.names.len()))
    }

    fn alloc(&mut self, is_use: bool, len: usize, space: Space) -> String {
        self.buffers.push(Buffer {
            data: vec![0; len],
            state: State::Live,
            space,
        });
        let name = format!("b{}", self.names.len());
        self.names.push(Name {
            name: name.clone(),
            buffer: self.buffers.len() - 1,
            is_use,
        });
        name
    }

    /// One statement inside the scope.
    fn statement(&mut self) {
        let choice = self.rng.random_range(0..100);
        let Some(n) = self.pick().filter(|_| choice >= 12) else {
            let len = self.rng.random_range(1..6);
            let space = if self.rng.random_bool(0.7) {
                Space::Cpu
            } else {
                Space::Cxl
            };
            let kw = if self.rng.random_bool(0.7) {
                "use"
            } else {
                "let"
            };
            let name = self.alloc(kw == "use", len, space);
            let _ = writeln!(
                self.body,
                "    {kw} {name} = BAREWire.allocate<int, {}> {len}",
                space.name()
            );
            return;
        };
        let (name, b) = (self.names[n].name.clone(), self.names[n].buffer);
        let len = self.buffers[b].data.len();
        match choice {
            12..=39 => {
                let i = self.rng.random_range(0..len);
                let v = self.rng.random_range(-50..50);
                let _ = writeln!(self.body, "    {name}.[{i}] <- {v}");
                if self.live_access(b) {
                    self.buffers[b].data[i] = v;
                }
            }
            40..=59 => {
                let i = self.rng.random_range(0..len);
                let _ = writeln!(self.body, "    printfn \"%d\" {name}.[{i}]");
                if self.live_access(b) {
                    let v = self.buffers[b].data[i];
                    let _ = writeln!(self.out, "{v}");
                }
            }
            60..=66 => {
                let _ = writeln!(self.body, "    printfn \"%d\" {name}.Length");
                if self.live_access(b) {
                    let _ = writeln!(self.out, "{len}");
                }
            }
            67..=74 => {
                let kw = if self.rng.random_bool(0.5) {
                    "use"
                } else {
                    "let"
                };
                let copy = format!("b{}", self.names.len());
                let _ = writeln!(self.body, "    {kw} {copy} = BAREWire.copy<cpu_mem> {name}");
                if !self.buffers[b].state.eq(&State::Live) {
                    self.end = Some("cannot copy the buffer".into());
                    return;
                }
                let data = self.buffers[b].data.clone();
                self.alloc(kw == "use", len, Space::Cpu);
                let last = self.buffers.len() - 1;
                self.buffers[last].data = data;
            }
            75..=82 => {
                let kw = if self.rng.random_bool(0.6) {
                    "use"
                } else {
                    "let"
                };
                let moved = format!("b{}", self.names.len());
                let _ = writeln!(
                    self.body,
                    "    {kw} {moved} = BAREWire.migrate<cxl_mem> {name}"
                );
                if !self.buffers[b].state.eq(&State::Live) {
                    self.end = Some("cannot migrate the buffer".into());
                    return;
                }
                let data = std::mem::take(&mut self.buffers[b].data);
                self.buffers[b].state = State::Migrated;
                self.buffers[b].data = vec![0; len];
                self.alloc(kw == "use", len, Space::Cxl);
                let last = self.buffers.len() - 1;
                self.buffers[last].data = data;
            }
            83..=94 if self.buffers[b].space == Space::Cpu => {
                let k = self.rng.random_range(0..STASHES);
                let _ = writeln!(self.body, "    keep{k} {name}");
                self.stash[k] = Some(b);
            }
            _ if self.names[n].is_use => {
                // A second `use` of the same buffer: released twice.
                let alias = format!("b{}", self.names.len());
                let _ = writeln!(self.body, "    use {alias} = {name}");
                self.names.push(Name {
                    name: alias,
                    buffer: b,
                    is_use: true,
                });
            }
            _ => {}
        }
    }

    /// The end of the scope: `use` names are released, latest first.
    fn close_scope(&mut self) {
        for i in (0..self.names.len()).rev() {
            if !self.names[i].is_use {
                continue;
            }
            let b = self.names[i].buffer;
            match self.buffers[b].state {
                State::Live => self.buffers[b].state = State::Released,
                State::Migrated => {}
                State::Released => {
                    self.end = Some("cannot release the buffer again".into());
                    return;
                }
            }
        }
    }

    /// After the scope: read what was hidden.
    fn afterwards(&mut self) {
        for k in 0..STASHES {
            let Some(b) = self.stash[k] else { continue };
            let len = self.buffers[b].data.len();
            let i = self.rng.random_range(0..len);
            let _ = writeln!(self.after, "printfn \"%d\" stash{k}.[{i}]");
            if !self.live_access(b) {
                return;
            }
            let v = self.buffers[b].data[i];
            let _ = writeln!(self.out, "{v}");
        }
    }
}

fn generate(seed: u64) -> Program {
    let mut g = Gen {
        rng: StdRng::seed_from_u64(seed),
        body: String::new(),
        after: String::new(),
        out: String::new(),
        buffers: Vec::new(),
        names: Vec::new(),
        stash: [None; STASHES],
        end: None,
    };
    let steps = g.rng.random_range(3..18);
    for _ in 0..steps {
        g.statement();
        if g.end.is_some() {
            break;
        }
    }
    if g.end.is_none() {
        g.close_scope();
    }
    if g.end.is_none() {
        g.afterwards();
    }
    let mut source = String::new();
    for k in 0..STASHES {
        let _ = writeln!(
            source,
            "let mutable stash{k} = BAREWire.allocate<int, cpu_mem> 1\n\
             let keep{k} (b: SharedBuffer<int, cpu_mem>) = stash{k} <- b"
        );
    }
    let _ = write!(
        source,
        "let scope () =\n    printfn \"start\"\n{}    ()\n\nscope ()\n{}",
        g.body, g.after
    );
    Program {
        source,
        stdout: format!("start\n{}", g.out),
        end: g.end.map_or(End::Ok, End::Fails),
    }
}

#[test]
fn random_buffer_programs_never_touch_released_memory() {
    let count: u64 = std::env::var("BUFFER_PROGRAMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    let mut ended_in_error = 0;
    for seed in 0..count {
        let program = generate(seed);
        if std::env::var_os("BUFFER_PROGRAMS_SHOW").is_some() {
            eprintln!("--- seed {seed}\n{}", program.source);
        }
        let src = dir.path().join(format!("p{seed}.clef"));
        std::fs::write(&src, &program.source).expect("write");
        let exe = dir.path().join(format!("p{seed}"));
        let build = common::clefc_build(&src, &exe);
        if !build.status.success() {
            failures.push(format!(
                "seed {seed}: does not compile:\n{}\n{}",
                program.source,
                String::from_utf8_lossy(&build.stderr)
            ));
            continue;
        }
        let run = Command::new(&exe).output().expect("run");
        // The reference interpreter must agree byte for byte.
        let interp = Command::new(env!("CARGO_BIN_EXE_clefc"))
            .arg("interp")
            .arg(&src)
            .output()
            .expect("clefc interp");
        if interp.stdout != run.stdout
            || interp.status.code() != run.status.code()
            || !String::from_utf8_lossy(&interp.stderr)
                .ends_with(&*String::from_utf8_lossy(&run.stderr))
        {
            failures.push(format!(
                "seed {seed}: the interpreter differs:\n{}\ncompiled {:?} {:?} {:?}\ninterpreted {:?} {:?} {:?}",
                program.source,
                run.status.code(),
                String::from_utf8_lossy(&run.stdout),
                String::from_utf8_lossy(&run.stderr),
                interp.status.code(),
                String::from_utf8_lossy(&interp.stdout),
                String::from_utf8_lossy(&interp.stderr),
            ));
        }
        let (stdout, stderr) = (
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr),
        );
        let ok = match &program.end {
            End::Ok => run.status.code() == Some(0) && stderr.is_empty(),
            End::Fails(text) => {
                ended_in_error += 1;
                run.status.code() == Some(1) && stderr.contains(text.as_str())
            }
        };
        if !ok || stdout != program.stdout {
            let expected = match &program.end {
                End::Ok => "success".to_string(),
                End::Fails(t) => format!("an error with {t:?}"),
            };
            failures.push(format!(
                "seed {seed}:\n{}\nexpected stdout {:?} and {expected}\ngot stdout {stdout:?}, {:?}, stderr:\n{stderr}",
                program.source, program.stdout, run.status
            ));
        }
    }
    eprintln!("{count} buffer programs, {ended_in_error} ended in a clean error");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The generator must exercise both outcomes.
    assert!(
        ended_in_error > 0 && ended_in_error < count,
        "{ended_in_error} of {count} ended in an error"
    );
}
