(* OCaml counterpart of closures.clef: a closure per iteration applied
   once, and a composition of two fresh closures. *)
let adder (k : int) = fun (x : int) -> x + k
let scale (k : int) (x : int) = x * k
let ( >> ) f g x = g (f x)

let () =
  let sum = ref 0L in
  for i = 0 to 9999999 do
    let add = fun x -> x + i in
    sum := Int64.add !sum (Int64.of_int (add 3));
    let h = adder i >> scale 3 in
    sum := Int64.add !sum (Int64.of_int (h (i mod 7)))
  done;
  Printf.printf "%Ld\n" !sum
