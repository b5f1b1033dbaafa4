;; The row moves of a two-level random permutation (src/random/permutation.ts), on the rows in the
;; shared memory of src/memory/arena.ts. A row is d doubles of x and one double of y; a row of x is
;; copied 16 bytes at a time (an odd last feature alone), so a move costs what memcpy costs and
;; never goes through JavaScript's per-element loads and stores. Between the two moves a row is
;; d + 1 doubles together (x, then y): one write stream per bucket rather than two, the y stream's
;; 8-byte writes each touching a cache line of their own.
;;
;; scatter(x, y, d, n, bucketOf, starts, m, cursor, to), pointers in bytes:
;;   cursor = starts[0..m);  for rows i = 0..n−1 in order:  t = cursor[bucketOf[i]]++;  to[t] = (x row i, y[i])
;;   (bucketOf: n u16; starts, cursor: m u32, each bucket's first row, then its next free one.)
;;   Reads are sequential and writes go to as many sequential streams as there are buckets: cache
;;   and TLB friendly.
;; draw(state, n, bits, bucketOf, starts, within):
;;   TwoLevelPermutation.draw's draws, the same ones, from the xoroshiro128+ state at `state` (four
;;   i32 as pure-rand's getState() lists them: s0 high, s0 low, s1 high, s1 low), written back
;;   advanced at the end only (a trap leaves it as it was). m = 2^bits buckets; starts: m + 1 u32.
;;   Here because the generator's state stays in registers (pure-rand's next() stores four fields a
;;   call) and 64-bit products make Lemire's method exact without splitting.
;; gather(rows, d, order, count, toX, toY):
;;   for k = 0..count−1:  (toX row k, toY[k]) = rows[order[k]]   (order: count u32; rows of d + 1
;;   doubles). Meant for rows that fit in the cache (one bucket): random reads from main memory
;;   would be miss-bound.
(module
  (import "env" "memory" (memory 1 65536 shared))

  (func (export "scatter")
    (param $x i32) (param $y i32) (param $d i32) (param $n i32) (param $bucketOf i32) (param $starts i32) (param $m i32) (param $cursor i32) (param $to i32)
    (local $i i32) (local $t i32) (local $slot i32) (local $from i32) (local $dst i32) (local $j i32) (local $rowBytes i32) (local $pairs i32)
    (memory.copy (local.get $cursor) (local.get $starts) (i32.shl (local.get $m) (i32.const 2)))
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    (local.set $pairs (i32.shl (i32.and (local.get $d) (i32.const -2)) (i32.const 3)))
    (local.set $from (local.get $x))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $slot (i32.add (local.get $cursor) (i32.shl (i32.load16_u (i32.add (local.get $bucketOf) (i32.shl (local.get $i) (i32.const 1)))) (i32.const 2))))
      (local.set $t (i32.load (local.get $slot)))
      (i32.store (local.get $slot) (i32.add (local.get $t) (i32.const 1)))
      (local.set $dst (i32.add (local.get $to) (i32.mul (local.get $t) (i32.add (local.get $rowBytes) (i32.const 8)))))
      ;; the row, 16 bytes at a time (inline: a call per row costs more than the copy), then y
      (local.set $j (i32.const 0))
      (block $copied (loop $copy
        (br_if $copied (i32.ge_u (local.get $j) (local.get $pairs)))
        (v128.store align=8 (i32.add (local.get $dst) (local.get $j)) (v128.load align=8 (i32.add (local.get $from) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $copy)))
      (if (i32.lt_u (local.get $pairs) (local.get $rowBytes))
        (then (f64.store (i32.add (local.get $dst) (local.get $pairs)) (f64.load (i32.add (local.get $from) (local.get $pairs))))))
      (f64.store (i32.add (local.get $dst) (local.get $rowBytes)) (f64.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $from (i32.add (local.get $from) (local.get $rowBytes)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows))))

  (func (export "gather")
    (param $rows i32) (param $d i32) (param $order i32) (param $count i32) (param $toX i32) (param $toY i32)
    (local $k i32) (local $src i32) (local $to i32) (local $j i32) (local $rowBytes i32) (local $pairs i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    (local.set $pairs (i32.shl (i32.and (local.get $d) (i32.const -2)) (i32.const 3)))
    (local.set $to (local.get $toX))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
      (local.set $src (i32.add (local.get $rows)
        (i32.mul (i32.load (i32.add (local.get $order) (i32.shl (local.get $k) (i32.const 2)))) (i32.add (local.get $rowBytes) (i32.const 8)))))
      (local.set $j (i32.const 0))
      (block $copied (loop $copy
        (br_if $copied (i32.ge_u (local.get $j) (local.get $pairs)))
        (v128.store align=8 (i32.add (local.get $to) (local.get $j)) (v128.load align=8 (i32.add (local.get $src) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $copy)))
      (if (i32.lt_u (local.get $pairs) (local.get $rowBytes))
        (then (f64.store (i32.add (local.get $to) (local.get $pairs)) (f64.load (i32.add (local.get $src) (local.get $pairs))))))
      (f64.store (i32.add (local.get $toY) (i32.shl (local.get $k) (i32.const 3))) (f64.load (i32.add (local.get $src) (local.get $rowBytes))))
      (local.set $to (i32.add (local.get $to) (local.get $rowBytes)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $each))))

  (func (export "draw")
    (param $state i32) (param $n i32) (param $bits i32) (param $bucketOf i32) (param $starts i32) (param $within i32)
    (local $s0 i64) (local $s1 i64) (local $m i32) (local $per i32) (local $i i32) (local $end i32) (local $v i32)
    (local $b i32) (local $slot i32) (local $lo i32) (local $count i32) (local $k i32) (local $w i32)
    (local $r i64) (local $prod i64) (local $low i64) (local $u i32) (local $j i32) (local $t i32) (local $paired i32) (local $at i32)
    (local.set $s0 (i64.or (i64.shl (i64.extend_i32_u (i32.load (local.get $state))) (i64.const 32)) (i64.extend_i32_u (i32.load offset=4 (local.get $state)))))
    (local.set $s1 (i64.or (i64.shl (i64.extend_i32_u (i32.load offset=8 (local.get $state))) (i64.const 32)) (i64.extend_i32_u (i32.load offset=12 (local.get $state)))))
    (local.set $m (i32.shl (i32.const 1) (local.get $bits)))
    (memory.fill (local.get $starts) (i32.const 0) (i32.shl (i32.add (local.get $m) (i32.const 1)) (i32.const 2)))
    ;; Step 1: each row's bucket, `bits` at a time from the top of an output's high 28 bits
    (if (i32.eqz (local.get $bits))
      (then
        (memory.fill (local.get $bucketOf) (i32.const 0) (i32.shl (local.get $n) (i32.const 1)))
        (i32.store offset=4 (local.get $starts) (local.get $n)))
      (else
        (local.set $per (i32.div_u (i32.const 28) (local.get $bits)))
        (block $drawn (loop $draws
          (br_if $drawn (i32.ge_u (local.get $i) (local.get $n)))
          ;; an output: the low 32 bits of s0 + s1; then the xoroshiro128+ step (24, 16, 37)
          (local.set $v (i32.wrap_i64 (i64.add (local.get $s0) (local.get $s1))))
          (local.set $s1 (i64.xor (local.get $s1) (local.get $s0)))
          (local.set $s0 (i64.xor (i64.xor (i64.rotl (local.get $s0) (i64.const 24)) (local.get $s1)) (i64.shl (local.get $s1) (i64.const 16))))
          (local.set $s1 (i64.rotl (local.get $s1) (i64.const 37)))
          (local.set $end (i32.add (local.get $i) (local.get $per)))
          (if (i32.gt_u (local.get $end) (local.get $n)) (then (local.set $end (local.get $n))))
          (block $placed (loop $rows
            (br_if $placed (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $b (i32.shr_u (local.get $v) (i32.sub (i32.const 32) (local.get $bits))))
            (local.set $v (i32.shl (local.get $v) (local.get $bits)))
            (i32.store16 (i32.add (local.get $bucketOf) (i32.shl (local.get $i) (i32.const 1))) (local.get $b))
            (local.set $slot (i32.add (local.get $starts) (i32.shl (local.get $b) (i32.const 2))))
            (i32.store offset=4 (local.get $slot) (i32.add (i32.load offset=4 (local.get $slot)) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
          (br $draws)))))
    (local.set $b (i32.const 0))
    (block $summed (loop $sums
      (br_if $summed (i32.ge_u (local.get $b) (local.get $m)))
      (local.set $slot (i32.add (local.get $starts) (i32.shl (local.get $b) (i32.const 2))))
      (i32.store offset=4 (local.get $slot) (i32.add (i32.load offset=4 (local.get $slot)) (i32.load (local.get $slot))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $sums)))
    ;; Step 2: per bucket, a Fisher-Yates shuffle of its ranks, two steps per draw while (k+1)*k <= 2^21
    (local.set $b (i32.const 0))
    (block $shuffled (loop $buckets
      (br_if $shuffled (i32.ge_u (local.get $b) (local.get $m)))
      (local.set $slot (i32.add (local.get $starts) (i32.shl (local.get $b) (i32.const 2))))
      (local.set $lo (i32.load (local.get $slot)))
      (local.set $count (i32.sub (i32.load offset=4 (local.get $slot)) (local.get $lo)))
      (local.set $w (i32.add (local.get $within) (i32.shl (local.get $lo) (i32.const 2))))
      (local.set $k (i32.const 0))
      (block $ranked (loop $ranks
        (br_if $ranked (i32.ge_u (local.get $k) (local.get $count)))
        (i32.store (i32.add (local.get $w) (i32.shl (local.get $k) (i32.const 2))) (local.get $k))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $ranks)))
      (local.set $k (i32.sub (local.get $count) (i32.const 1)))
      (block $stepped (loop $steps
        (br_if $stepped (i32.le_s (local.get $k) (i32.const 0)))
        (local.set $r (i64.mul (i64.extend_i32_u (i32.add (local.get $k) (i32.const 1))) (i64.extend_i32_u (local.get $k))))
        (local.set $paired (i32.and (i32.gt_u (local.get $k) (i32.const 1)) (i64.le_u (local.get $r) (i64.const 2097152))))
        (if (i32.eqz (local.get $paired)) (then (local.set $r (i64.extend_i32_u (i32.add (local.get $k) (i32.const 1))))))
        ;; Lemire: u = floor(v*r / 2^32), drawing again while the low part of v*r is below 2^32 mod r
        (block $accepted (loop $draw
          (local.set $prod (i64.mul (i64.extend_i32_u (i32.wrap_i64 (i64.add (local.get $s0) (local.get $s1)))) (local.get $r)))
          (local.set $s1 (i64.xor (local.get $s1) (local.get $s0)))
          (local.set $s0 (i64.xor (i64.xor (i64.rotl (local.get $s0) (i64.const 24)) (local.get $s1)) (i64.shl (local.get $s1) (i64.const 16))))
          (local.set $s1 (i64.rotl (local.get $s1) (i64.const 37)))
          (local.set $low (i64.and (local.get $prod) (i64.const 0xffffffff)))
          (br_if $accepted (i64.ge_u (local.get $low) (local.get $r)))
          (br_if $accepted (i64.ge_u (local.get $low) (i64.rem_u (i64.const 0x100000000) (local.get $r))))
          (br $draw)))
        (local.set $u (i32.wrap_i64 (i64.shr_u (local.get $prod) (i64.const 32))))
        ;; one step (two when paired): j = u mod (k+1), u = floor(u / (k+1)), swap ranks k and j, k - 1
        (local.set $end (select (i32.sub (local.get $k) (i32.const 2)) (i32.sub (local.get $k) (i32.const 1)) (local.get $paired)))
        (block $swapped (loop $swaps
          (br_if $swapped (i32.le_s (local.get $k) (local.get $end)))
          (local.set $j (i32.rem_u (local.get $u) (i32.add (local.get $k) (i32.const 1))))
          (local.set $u (i32.div_u (local.get $u) (i32.add (local.get $k) (i32.const 1))))
          (local.set $at (i32.add (local.get $w) (i32.shl (local.get $k) (i32.const 2))))
          (local.set $slot (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $t (i32.load (local.get $at)))
          (i32.store (local.get $at) (i32.load (local.get $slot)))
          (i32.store (local.get $slot) (local.get $t))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br $swaps)))
        (br $steps)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $buckets)))
    (i32.store (local.get $state) (i32.wrap_i64 (i64.shr_u (local.get $s0) (i64.const 32))))
    (i32.store offset=4 (local.get $state) (i32.wrap_i64 (local.get $s0)))
    (i32.store offset=8 (local.get $state) (i32.wrap_i64 (i64.shr_u (local.get $s1) (i64.const 32))))
    (i32.store offset=12 (local.get $state) (i32.wrap_i64 (local.get $s1)))))
