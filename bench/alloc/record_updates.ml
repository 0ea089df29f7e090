(* OCaml counterpart of record_updates.clef: copy-and-update of a small
   record held in a mutable local. *)
type state = { x : int; y : int; count : int64 }

let () =
  let r = ref { x = 0; y = 7; count = 0L } in
  for _ = 1 to 10000000 do
    r := { !r with x = !r.x + 1; count = Int64.add !r.count (Int64.of_int !r.y) };
    if !r.x mod 1000 = 0 then r := { !r with y = !r.y + 1 }
  done;
  Printf.printf "%d %d %Ld\n" !r.x !r.y !r.count
