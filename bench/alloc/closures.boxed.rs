// Rust counterpart of closures.clef with heap closures: every closure is a
// Box<dyn Fn>, allocated per iteration, as clefc allocates each closure on
// its collected heap.
type F = Box<dyn Fn(i32) -> i32>;

fn adder(k: i32) -> F {
    Box::new(move |x| x + k)
}

fn scale(k: i32) -> F {
    Box::new(move |x| x * k)
}

fn compose(f: F, g: F) -> F {
    Box::new(move |x| g(f(x)))
}

fn main() {
    let mut sum = 0i64;
    for i in 0..10_000_000i32 {
        let add: F = Box::new(move |x| x + i);
        sum += add(3) as i64;
        let h = compose(adder(i), scale(3));
        sum += h(i % 7) as i64;
    }
    println!("{}", sum);
}
