// Rust counterpart of closures.clef with plain (unboxed) closures, the
// idiomatic form: closures are values on the stack and calls are static.
fn adder(k: i32) -> impl Fn(i32) -> i32 {
    move |x| x + k
}

fn scale(k: i32) -> impl Fn(i32) -> i32 {
    move |x| x * k
}

fn compose<A, B, C>(f: impl Fn(A) -> B, g: impl Fn(B) -> C) -> impl Fn(A) -> C {
    move |x| g(f(x))
}

fn main() {
    let mut sum = 0i64;
    for i in 0..10_000_000i32 {
        let add = move |x| x + i;
        sum += add(3) as i64;
        let h = compose(adder(i), scale(3));
        sum += h(i % 7) as i64;
    }
    println!("{}", sum);
}
