;; The row moves of a two-level random permutation (src/random/permutation.ts), on the rows in the
;; shared memory of src/memory/arena.ts. A row is d doubles of x and one double of y; a row of x is
;; copied 16 bytes at a time (an odd last feature alone), so a move costs what memcpy costs and
;; never goes through JavaScript's per-element loads and stores.
;;
;; scatter(x, y, d, n, bucketOf, cursor, toX, toY), pointers in bytes:
;;   for rows i = 0..n−1 in order:  t = cursor[bucketOf[i]]++;  to row t = row i
;;   (bucketOf: n bytes; cursor: one u32 per bucket, its first free slot.) Reads are sequential and
;;   writes go to as many sequential streams as there are buckets: cache and TLB friendly.
;; gather(x, y, d, order, count, toX, toY):
;;   for k = 0..count−1:  to row k = row order[k]   (order: count u32). Meant for rows that fit in
;;   the cache (one bucket): random reads from main memory would be miss-bound.
(module
  (import "env" "memory" (memory 1 65536 shared))

  (func (export "scatter")
    (param $x i32) (param $y i32) (param $d i32) (param $n i32) (param $bucketOf i32) (param $cursor i32) (param $toX i32) (param $toY i32)
    (local $i i32) (local $t i32) (local $slot i32) (local $from i32) (local $to i32) (local $j i32) (local $rowBytes i32) (local $pairs i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    (local.set $pairs (i32.shl (i32.and (local.get $d) (i32.const -2)) (i32.const 3)))
    (local.set $from (local.get $x))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $slot (i32.add (local.get $cursor) (i32.shl (i32.load8_u (i32.add (local.get $bucketOf) (local.get $i))) (i32.const 2))))
      (local.set $t (i32.load (local.get $slot)))
      (i32.store (local.get $slot) (i32.add (local.get $t) (i32.const 1)))
      (f64.store (i32.add (local.get $toY) (i32.shl (local.get $t) (i32.const 3)))
        (f64.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))))
      ;; the row, 16 bytes at a time (inline: a call per row costs more than the copy)
      (local.set $to (i32.add (local.get $toX) (i32.mul (local.get $t) (local.get $rowBytes))))
      (local.set $j (i32.const 0))
      (block $copied (loop $copy
        (br_if $copied (i32.ge_u (local.get $j) (local.get $pairs)))
        (v128.store align=8 (i32.add (local.get $to) (local.get $j)) (v128.load align=8 (i32.add (local.get $from) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $copy)))
      (if (i32.lt_u (local.get $pairs) (local.get $rowBytes))
        (then (f64.store (i32.add (local.get $to) (local.get $pairs)) (f64.load (i32.add (local.get $from) (local.get $pairs))))))
      (local.set $from (i32.add (local.get $from) (local.get $rowBytes)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows))))

  (func (export "gather")
    (param $x i32) (param $y i32) (param $d i32) (param $order i32) (param $count i32) (param $toX i32) (param $toY i32)
    (local $k i32) (local $i i32) (local $from i32) (local $to i32) (local $j i32) (local $rowBytes i32) (local $pairs i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    (local.set $pairs (i32.shl (i32.and (local.get $d) (i32.const -2)) (i32.const 3)))
    (local.set $to (local.get $toX))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
      (local.set $i (i32.load (i32.add (local.get $order) (i32.shl (local.get $k) (i32.const 2)))))
      (f64.store (i32.add (local.get $toY) (i32.shl (local.get $k) (i32.const 3)))
        (f64.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $from (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $rowBytes))))
      (local.set $j (i32.const 0))
      (block $copied (loop $copy
        (br_if $copied (i32.ge_u (local.get $j) (local.get $pairs)))
        (v128.store align=8 (i32.add (local.get $to) (local.get $j)) (v128.load align=8 (i32.add (local.get $from) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $copy)))
      (if (i32.lt_u (local.get $pairs) (local.get $rowBytes))
        (then (f64.store (i32.add (local.get $to) (local.get $pairs)) (f64.load (i32.add (local.get $from) (local.get $pairs))))))
      (local.set $to (i32.add (local.get $to) (local.get $rowBytes)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $rows)))))
