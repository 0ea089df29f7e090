// Idiomatic Rust counterpart of record_updates.clef: a Copy struct updated
// with struct-update syntax (a value on the stack / in registers).
#[derive(Clone, Copy)]
struct State {
    x: i32,
    y: i32,
    count: i64,
}

fn main() {
    let mut r = State { x: 0, y: 7, count: 0 };
    for _i in 1..=10_000_000 {
        r = State { x: r.x + 1, count: r.count + r.y as i64, ..r };
        if r.x % 1000 == 0 {
            r = State { y: r.y + 1, ..r };
        }
    }
    println!("{} {} {}", r.x, r.y, r.count);
}
