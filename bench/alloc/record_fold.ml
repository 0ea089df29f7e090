(* OCaml counterpart of record_fold.clef. *)
type order = { id : int; quantity : int; price : float }

let orders n = List.init n (fun i -> { id = i; quantity = i mod 10 + 1; price = float_of_int (i mod 100) *. 0.5 })

let total os =
  let discounted = List.map (fun o -> { o with price = o.price *. 0.9 }) os in
  List.fold_left (fun acc o -> acc +. float_of_int o.quantity *. o.price) 0.0 discounted

let () =
  let os = orders 200000 in
  let sum = ref 0.0 in
  for _ = 1 to 20 do sum := !sum +. total os done;
  Printf.printf "%.3f\n" !sum
