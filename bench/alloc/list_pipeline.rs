// Idiomatic Rust counterpart of list_pipeline.clef: each stage collects a
// new Vec, as the Clef code materialises a new list per stage.
fn pipeline(n: i32) -> i64 {
    let xs: Vec<i32> = (0..n).collect();
    let ys: Vec<i32> = xs.iter().map(|&x| x * 3).collect();
    let zs: Vec<i32> = ys.iter().copied().filter(|x| x % 2 == 0).collect();
    zs.iter().fold(0i64, |acc, &x| acc + x as i64)
}

fn main() {
    let mut total = 0i64;
    for _rep in 1..=10 {
        total += pipeline(1_000_000);
    }
    println!("{}", total);
}
