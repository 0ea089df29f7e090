(* OCaml counterpart of list_pipeline.clef: the same list stages. *)
let pipeline n =
  let xs = List.init n (fun i -> i) in
  let ys = List.map (fun x -> x * 3) xs in
  let zs = List.filter (fun x -> x mod 2 = 0) ys in
  List.fold_left (fun acc x -> Int64.add acc (Int64.of_int x)) 0L zs

let () =
  let total = ref 0L in
  for _ = 1 to 10 do total := Int64.add !total (pipeline 1000000) done;
  Printf.printf "%Ld\n" !total
