;; The fused forward + gradient pass of src/neuron/pass.ts, with f64x2 SIMD: two features per
;; instruction. Rows live in the shared memory that src/memory/arena.ts hands out, so worker
;; threads run this same code on their own row ranges without copying anything.
;;
;; pass(x, y, d, start, end, w, b, g, out), pointers in bytes:
;;   for rows i in [start, end):  z_i = w·x_i + b
;;     z_i > 0:  r = z_i − y_i;  sse += r²;  active += 1;  db += r;  g += r·x_i
;;     else:     sse += y_i²                                    (a_i = 0, relu'(z_i) = 0)
;;   then out[0] += sse, out[1] += active, out[2] += db, out[3 + j] += g[j].
;; g is d doubles of scratch, 16-byte aligned; the pass zeroes it first.
(module
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "pass")
    (param $x i32) (param $y i32) (param $d i32) (param $start i32) (param $end i32)
    (param $w i32) (param $b f64) (param $g i32) (param $out i32)
    (local $i i32) (local $row i32) (local $j i32) (local $quads i32) (local $pairs i32) (local $rowBytes i32)
    (local $acc0 v128) (local $acc1 v128) (local $rv v128)
    (local $z f64) (local $r f64) (local $yi f64) (local $sse f64) (local $db f64) (local $active i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    ;; bytes covered four features at a time, then two at a time; an odd last feature is scalar
    (local.set $quads (i32.shl (i32.and (local.get $d) (i32.const -4)) (i32.const 3)))
    (local.set $pairs (i32.shl (i32.and (local.get $d) (i32.const -2)) (i32.const 3)))

    (local.set $j (i32.const 0))
    (block $zeroed (loop $zero
      (br_if $zeroed (i32.ge_u (local.get $j) (local.get $rowBytes)))
      (f64.store (i32.add (local.get $g) (local.get $j)) (f64.const 0))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $zero)))

    (local.set $i (local.get $start))
    (local.set $row (i32.add (local.get $x) (i32.mul (local.get $start) (local.get $rowBytes))))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))

      ;; z_i = w·x_i + b: two accumulators of two lanes each
      (local.set $acc0 (v128.const f64x2 0 0))
      (local.set $acc1 (v128.const f64x2 0 0))
      (local.set $j (i32.const 0))
      (block $dot4 (loop $dot4l
        (br_if $dot4 (i32.ge_u (local.get $j) (local.get $quads)))
        (local.set $acc0 (f64x2.add (local.get $acc0)
          (f64x2.mul (v128.load (i32.add (local.get $w) (local.get $j))) (v128.load (i32.add (local.get $row) (local.get $j))))))
        (local.set $acc1 (f64x2.add (local.get $acc1)
          (f64x2.mul (v128.load offset=16 (i32.add (local.get $w) (local.get $j))) (v128.load offset=16 (i32.add (local.get $row) (local.get $j))))))
        (local.set $j (i32.add (local.get $j) (i32.const 32)))
        (br $dot4l)))
      (if (i32.lt_u (local.get $j) (local.get $pairs))
        (then
          (local.set $acc0 (f64x2.add (local.get $acc0)
            (f64x2.mul (v128.load (i32.add (local.get $w) (local.get $j))) (v128.load (i32.add (local.get $row) (local.get $j))))))))
      (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
      (local.set $z (f64.add (local.get $b)
        (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))))
      (if (i32.lt_u (local.get $pairs) (local.get $rowBytes))
        (then (local.set $z (f64.add (local.get $z)
          (f64.mul (f64.load (i32.add (local.get $w) (local.get $pairs))) (f64.load (i32.add (local.get $row) (local.get $pairs))))))))

      (local.set $yi (f64.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))))
      (if (f64.gt (local.get $z) (f64.const 0))
        (then
          ;; active row: a_i = z_i, relu'(z_i) = 1
          (local.set $r (f64.sub (local.get $z) (local.get $yi)))
          (local.set $sse (f64.add (local.get $sse) (f64.mul (local.get $r) (local.get $r))))
          (local.set $active (i32.add (local.get $active) (i32.const 1)))
          (local.set $db (f64.add (local.get $db) (local.get $r)))
          ;; g += (z_i − y_i) x_i
          (local.set $rv (f64x2.splat (local.get $r)))
          (local.set $j (i32.const 0))
          (block $grad (loop $gradl
            (br_if $grad (i32.ge_u (local.get $j) (local.get $pairs)))
            (v128.store (i32.add (local.get $g) (local.get $j))
              (f64x2.add (v128.load (i32.add (local.get $g) (local.get $j)))
                         (f64x2.mul (local.get $rv) (v128.load (i32.add (local.get $row) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $gradl)))
          (if (i32.lt_u (local.get $pairs) (local.get $rowBytes))
            (then (f64.store (i32.add (local.get $g) (local.get $pairs))
              (f64.add (f64.load (i32.add (local.get $g) (local.get $pairs)))
                       (f64.mul (local.get $r) (f64.load (i32.add (local.get $row) (local.get $pairs)))))))))
        (else
          ;; inactive row: a_i = 0
          (local.set $sse (f64.add (local.get $sse) (f64.mul (local.get $yi) (local.get $yi))))))

      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
      (br $rows)))

    (f64.store (local.get $out) (f64.add (f64.load (local.get $out)) (local.get $sse)))
    (f64.store offset=8 (local.get $out) (f64.add (f64.load offset=8 (local.get $out)) (f64.convert_i32_u (local.get $active))))
    (f64.store offset=16 (local.get $out) (f64.add (f64.load offset=16 (local.get $out)) (local.get $db)))
    (local.set $j (i32.const 0))
    (block $added (loop $add
      (br_if $added (i32.ge_u (local.get $j) (local.get $rowBytes)))
      (f64.store offset=24 (i32.add (local.get $out) (local.get $j))
        (f64.add (f64.load offset=24 (i32.add (local.get $out) (local.get $j))) (f64.load (i32.add (local.get $g) (local.get $j)))))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $add))))

  ;; The screened engine's refresh over rows [start, end) (src/neuron/screen-rows.ts, refreshBlocks):
  ;; the same z_i and the same sums as `pass`, stored (not added) into out, and per row:
  ;;   nx_i = 1 + ‖x_i‖² (lane-wise, like z), keys[i] = f32(|z_i| / √nx_i · (1 − 2^−20)), side[i] = z_i > 0,
  ;;   and the block's part of G = Σ x̃x̃ᵀ: every active row (build ≠ 0), else ± the rows that
  ;;   changed side since side[] was written (errG += nx_i for each).
  ;; gram: d rows of S = d rounded up to even doubles (entries k ≥ j rounded down to even are
  ;; summed; the others are left at 0), then Σ sign·x_j (d doubles). Zeroed here, like g.
  ;; out: [sse, active, db, dw_0..dw_{d−1}, max nx, errG, Σ sign].
  (func (export "refresh")
    (param $x i32) (param $y i32) (param $d i32) (param $start i32) (param $end i32)
    (param $w i32) (param $b f64) (param $side i32) (param $keys i32) (param $build i32)
    (param $gram i32) (param $g i32) (param $out i32)
    (local $i i32) (local $row i32) (local $j i32) (local $quads i32) (local $pairs i32) (local $rowBytes i32)
    (local $gramBytes i32) (local $strideBytes i32) (local $sx i32)
    (local $acc0 v128) (local $acc1 v128) (local $nacc0 v128) (local $nacc1 v128) (local $v0 v128) (local $v1 v128) (local $rv v128)
    (local $z f64) (local $r f64) (local $yi f64) (local $sse f64) (local $db f64) (local $active i32)
    (local $nx f64) (local $nxMax f64) (local $errG f64) (local $count f64) (local $sign f64) (local $xj f64)
    (local $a i32) (local $add i32) (local $held i32) (local $heldRow i32) (local $heldSign f64)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    (local.set $quads (i32.shl (i32.and (local.get $d) (i32.const -4)) (i32.const 3)))
    (local.set $pairs (i32.shl (i32.and (local.get $d) (i32.const -2)) (i32.const 3)))
    ;; S doubles per row of the square: d rounded up to even
    (local.set $strideBytes (i32.shl (i32.and (i32.add (local.get $d) (i32.const 1)) (i32.const -2)) (i32.const 3)))
    (local.set $gramBytes (i32.mul (local.get $d) (local.get $strideBytes)))
    (local.set $sx (i32.add (local.get $gram) (local.get $gramBytes)))
    (local.set $nxMax (f64.const 1))

    ;; zero g (d doubles), the square and sx (d·S + d doubles)
    (local.set $j (i32.const 0))
    (block $zeroed (loop $zero
      (br_if $zeroed (i32.ge_u (local.get $j) (local.get $rowBytes)))
      (f64.store (i32.add (local.get $g) (local.get $j)) (f64.const 0))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $zero)))
    (local.set $j (i32.const 0))
    (block $gzeroed (loop $gzero
      (br_if $gzeroed (i32.ge_u (local.get $j) (i32.add (local.get $gramBytes) (local.get $rowBytes))))
      (f64.store (i32.add (local.get $gram) (local.get $j)) (f64.const 0))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $gzero)))

    (local.set $i (local.get $start))
    (local.set $row (i32.add (local.get $x) (i32.mul (local.get $start) (local.get $rowBytes))))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))

      ;; z_i = w·x_i + b exactly as `pass` adds it; ‖x_i‖² in the same lanes
      (local.set $acc0 (v128.const f64x2 0 0))
      (local.set $acc1 (v128.const f64x2 0 0))
      (local.set $nacc0 (v128.const f64x2 0 0))
      (local.set $nacc1 (v128.const f64x2 0 0))
      (local.set $j (i32.const 0))
      (block $dot4 (loop $dot4l
        (br_if $dot4 (i32.ge_u (local.get $j) (local.get $quads)))
        (local.set $v0 (v128.load (i32.add (local.get $row) (local.get $j))))
        (local.set $v1 (v128.load offset=16 (i32.add (local.get $row) (local.get $j))))
        (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (v128.load (i32.add (local.get $w) (local.get $j))) (local.get $v0))))
        (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (v128.load offset=16 (i32.add (local.get $w) (local.get $j))) (local.get $v1))))
        (local.set $nacc0 (f64x2.add (local.get $nacc0) (f64x2.mul (local.get $v0) (local.get $v0))))
        (local.set $nacc1 (f64x2.add (local.get $nacc1) (f64x2.mul (local.get $v1) (local.get $v1))))
        (local.set $j (i32.add (local.get $j) (i32.const 32)))
        (br $dot4l)))
      (if (i32.lt_u (local.get $j) (local.get $pairs))
        (then
          (local.set $v0 (v128.load (i32.add (local.get $row) (local.get $j))))
          (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (v128.load (i32.add (local.get $w) (local.get $j))) (local.get $v0))))
          (local.set $nacc0 (f64x2.add (local.get $nacc0) (f64x2.mul (local.get $v0) (local.get $v0))))))
      (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
      (local.set $nacc0 (f64x2.add (local.get $nacc0) (local.get $nacc1)))
      (local.set $z (f64.add (local.get $b)
        (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))))
      (local.set $nx (f64.add (f64.const 1)
        (f64.add (f64x2.extract_lane 0 (local.get $nacc0)) (f64x2.extract_lane 1 (local.get $nacc0)))))
      (if (i32.lt_u (local.get $pairs) (local.get $rowBytes))
        (then
          (local.set $xj (f64.load (i32.add (local.get $row) (local.get $pairs))))
          (local.set $z (f64.add (local.get $z) (f64.mul (f64.load (i32.add (local.get $w) (local.get $pairs))) (local.get $xj))))
          (local.set $nx (f64.add (local.get $nx) (f64.mul (local.get $xj) (local.get $xj))))))
      (if (f64.gt (local.get $nx) (local.get $nxMax)) (then (local.set $nxMax (local.get $nx))))
      ;; t_i rounded down: the slack covers this rounding and the float32 one
      (f32.store (i32.add (local.get $keys) (i32.shl (local.get $i) (i32.const 2)))
        (f32.demote_f64 (f64.mul (f64.div (f64.abs (local.get $z)) (f64.sqrt (local.get $nx))) (f64.const 0x1.ffffep-1))))

      (local.set $a (f64.gt (local.get $z) (f64.const 0)))
      ;; which rank-1 term this row adds to G, if any
      (local.set $add (i32.const 0))
      (if (local.get $build)
        (then (if (local.get $a) (then (local.set $add (i32.const 1)) (local.set $sign (f64.const 1)))))
        (else (if (i32.ne (local.get $a) (i32.load8_u (i32.add (local.get $side) (local.get $i))))
          (then
            (local.set $add (i32.const 1))
            (local.set $sign (select (f64.const 1) (f64.const -1) (local.get $a)))
            (local.set $errG (f64.add (local.get $errG) (local.get $nx)))))))
      (i32.store8 (i32.add (local.get $side) (local.get $i)) (local.get $a))
      (if (local.get $add)
        (then
          ;; G += sign·x̃x̃ᵀ, two rows at a time (half the loads and stores of G)
          (local.set $count (f64.add (local.get $count) (local.get $sign)))
          (if (local.get $held)
            (then
              (call $outer (local.get $gram) (local.get $sx) (local.get $heldRow) (local.get $heldSign) (local.get $row) (local.get $sign)
                (i32.const 1) (local.get $rowBytes) (local.get $pairs) (local.get $strideBytes))
              (local.set $held (i32.const 0)))
            (else
              (local.set $heldRow (local.get $row))
              (local.set $heldSign (local.get $sign))
              (local.set $held (i32.const 1))))))

      ;; the pass's sums
      (local.set $yi (f64.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))))
      (if (local.get $a)
        (then
          (local.set $r (f64.sub (local.get $z) (local.get $yi)))
          (local.set $sse (f64.add (local.get $sse) (f64.mul (local.get $r) (local.get $r))))
          (local.set $active (i32.add (local.get $active) (i32.const 1)))
          (local.set $db (f64.add (local.get $db) (local.get $r)))
          (local.set $rv (f64x2.splat (local.get $r)))
          (local.set $j (i32.const 0))
          (block $grad (loop $gradl
            (br_if $grad (i32.ge_u (local.get $j) (local.get $pairs)))
            (v128.store (i32.add (local.get $g) (local.get $j))
              (f64x2.add (v128.load (i32.add (local.get $g) (local.get $j)))
                         (f64x2.mul (local.get $rv) (v128.load (i32.add (local.get $row) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $gradl)))
          (if (i32.lt_u (local.get $pairs) (local.get $rowBytes))
            (then (f64.store (i32.add (local.get $g) (local.get $pairs))
              (f64.add (f64.load (i32.add (local.get $g) (local.get $pairs)))
                       (f64.mul (local.get $r) (f64.load (i32.add (local.get $row) (local.get $pairs)))))))))
        (else
          (local.set $sse (f64.add (local.get $sse) (f64.mul (local.get $yi) (local.get $yi))))))

      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
      (br $rows)))
    ;; a row left over from the pairs
    (if (local.get $held)
      (then (call $outer (local.get $gram) (local.get $sx) (local.get $heldRow) (local.get $heldSign) (local.get $heldRow) (f64.const 0)
        (i32.const 0) (local.get $rowBytes) (local.get $pairs) (local.get $strideBytes))))

    (f64.store (local.get $out) (local.get $sse))
    (f64.store offset=8 (local.get $out) (f64.convert_i32_u (local.get $active)))
    (f64.store offset=16 (local.get $out) (local.get $db))
    (local.set $j (i32.const 0))
    (block $copied (loop $copy
      (br_if $copied (i32.ge_u (local.get $j) (local.get $rowBytes)))
      (f64.store offset=24 (i32.add (local.get $out) (local.get $j)) (f64.load (i32.add (local.get $g) (local.get $j))))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $copy)))
    (f64.store offset=24 (i32.add (local.get $out) (local.get $rowBytes)) (local.get $nxMax))
    (f64.store offset=32 (i32.add (local.get $out) (local.get $rowBytes)) (local.get $errG))
    (f64.store offset=40 (i32.add (local.get $out) (local.get $rowBytes)) (local.get $count)))

  ;; Pass 2 of a refresh over rows [start, end) (src/neuron/screen-rows.ts, placeRows): each row whose
  ;; t bucket (top 16 bits of keys[i]) is at most cap goes to place next[bucket]++, in t order, with
  ;;   order[place] = i, member[place] = side[i], bounds[5·place ..] = f32 [z_i, c_1, c_2, c_3, ρ⊥_i],
  ;; c_q = u_q·x̃_i (basis: 3 rows of d + 1 doubles, bias last), ρ⊥_i ≥ √(nx_i − Σc²) with slack.
  (func (export "place")
    (param $x i32) (param $d i32) (param $start i32) (param $end i32) (param $w i32) (param $b f64)
    (param $keys i32) (param $cap i32) (param $next i32) (param $order i32) (param $bounds i32)
    (param $member i32) (param $side i32) (param $basis i32)
    (local $i i32) (local $row i32) (local $j i32) (local $quads i32) (local $pairs i32) (local $rowBytes i32)
    (local $u2 i32) (local $u3 i32) (local $bucket i32) (local $pos i32) (local $o i32) (local $slot i32)
    (local $acc0 v128) (local $acc1 v128) (local $n0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $v v128)
    (local $z f64) (local $nx f64) (local $s1 f64) (local $s2 f64) (local $s3 f64) (local $xj f64) (local $r2 f64) (local $rSlack f64)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    (local.set $quads (i32.shl (i32.and (local.get $d) (i32.const -4)) (i32.const 3)))
    (local.set $pairs (i32.shl (i32.and (local.get $d) (i32.const -2)) (i32.const 3)))
    ;; u_2 and u_3 start d + 1 doubles apart (unaligned when d is even: v128 loads allow that)
    (local.set $u2 (i32.add (local.get $basis) (i32.add (local.get $rowBytes) (i32.const 8))))
    (local.set $u3 (i32.add (local.get $u2) (i32.add (local.get $rowBytes) (i32.const 8))))
    ;; (d + 16)·4·2^−53 of nx covers the rounding of nx, of c and of U (as in placeRows)
    (local.set $rSlack (f64.mul (f64.convert_i32_u (i32.add (local.get $d) (i32.const 16))) (f64.const 0x1p-51)))
    (local.set $i (local.get $start))
    (local.set $row (i32.add (local.get $x) (i32.mul (local.get $start) (local.get $rowBytes))))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $bucket (i32.shr_u (i32.load (i32.add (local.get $keys) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 16)))
      (if (i32.le_u (local.get $bucket) (local.get $cap))
        (then
          (local.set $slot (i32.add (local.get $next) (i32.shl (local.get $bucket) (i32.const 2))))
          (local.set $pos (i32.load (local.get $slot)))
          (i32.store (local.get $slot) (i32.add (local.get $pos) (i32.const 1)))
          (i32.store (i32.add (local.get $order) (i32.shl (local.get $pos) (i32.const 2))) (local.get $i))
          (i32.store8 (i32.add (local.get $member) (local.get $pos)) (i32.load8_u (i32.add (local.get $side) (local.get $i))))
          ;; z exactly as `pass` adds it
          (local.set $acc0 (v128.const f64x2 0 0))
          (local.set $acc1 (v128.const f64x2 0 0))
          (local.set $j (i32.const 0))
          (block $dot4 (loop $dot4l
            (br_if $dot4 (i32.ge_u (local.get $j) (local.get $quads)))
            (local.set $acc0 (f64x2.add (local.get $acc0)
              (f64x2.mul (v128.load (i32.add (local.get $w) (local.get $j))) (v128.load (i32.add (local.get $row) (local.get $j))))))
            (local.set $acc1 (f64x2.add (local.get $acc1)
              (f64x2.mul (v128.load offset=16 (i32.add (local.get $w) (local.get $j))) (v128.load offset=16 (i32.add (local.get $row) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 32)))
            (br $dot4l)))
          (if (i32.lt_u (local.get $j) (local.get $pairs))
            (then
              (local.set $acc0 (f64x2.add (local.get $acc0)
                (f64x2.mul (v128.load (i32.add (local.get $w) (local.get $j))) (v128.load (i32.add (local.get $row) (local.get $j))))))))
          (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
          (local.set $z (f64.add (local.get $b)
            (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))))
          (if (i32.lt_u (local.get $pairs) (local.get $rowBytes))
            (then (local.set $z (f64.add (local.get $z)
              (f64.mul (f64.load (i32.add (local.get $w) (local.get $pairs))) (f64.load (i32.add (local.get $row) (local.get $pairs))))))))
          ;; nx and c_q two features at a time
          (local.set $n0 (v128.const f64x2 0 0))
          (local.set $c1 (v128.const f64x2 0 0))
          (local.set $c2 (v128.const f64x2 0 0))
          (local.set $c3 (v128.const f64x2 0 0))
          (local.set $j (i32.const 0))
          (block $dots (loop $dotsl
            (br_if $dots (i32.ge_u (local.get $j) (local.get $pairs)))
            (local.set $v (v128.load (i32.add (local.get $row) (local.get $j))))
            (local.set $n0 (f64x2.add (local.get $n0) (f64x2.mul (local.get $v) (local.get $v))))
            (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (v128.load (i32.add (local.get $basis) (local.get $j))) (local.get $v))))
            (local.set $c2 (f64x2.add (local.get $c2) (f64x2.mul (v128.load (i32.add (local.get $u2) (local.get $j))) (local.get $v))))
            (local.set $c3 (f64x2.add (local.get $c3) (f64x2.mul (v128.load (i32.add (local.get $u3) (local.get $j))) (local.get $v))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $dotsl)))
          (local.set $nx (f64.add (f64.const 1) (f64.add (f64x2.extract_lane 0 (local.get $n0)) (f64x2.extract_lane 1 (local.get $n0)))))
          (local.set $s1 (f64.add (f64.load (i32.add (local.get $basis) (local.get $rowBytes)))
            (f64.add (f64x2.extract_lane 0 (local.get $c1)) (f64x2.extract_lane 1 (local.get $c1)))))
          (local.set $s2 (f64.add (f64.load (i32.add (local.get $u2) (local.get $rowBytes)))
            (f64.add (f64x2.extract_lane 0 (local.get $c2)) (f64x2.extract_lane 1 (local.get $c2)))))
          (local.set $s3 (f64.add (f64.load (i32.add (local.get $u3) (local.get $rowBytes)))
            (f64.add (f64x2.extract_lane 0 (local.get $c3)) (f64x2.extract_lane 1 (local.get $c3)))))
          (if (i32.lt_u (local.get $pairs) (local.get $rowBytes))
            (then
              (local.set $xj (f64.load (i32.add (local.get $row) (local.get $pairs))))
              (local.set $nx (f64.add (local.get $nx) (f64.mul (local.get $xj) (local.get $xj))))
              (local.set $s1 (f64.add (local.get $s1) (f64.mul (f64.load (i32.add (local.get $basis) (local.get $pairs))) (local.get $xj))))
              (local.set $s2 (f64.add (local.get $s2) (f64.mul (f64.load (i32.add (local.get $u2) (local.get $pairs))) (local.get $xj))))
              (local.set $s3 (f64.add (local.get $s3) (f64.mul (f64.load (i32.add (local.get $u3) (local.get $pairs))) (local.get $xj))))))
          (local.set $r2 (f64.sub (f64.sub (f64.sub (local.get $nx) (f64.mul (local.get $s1) (local.get $s1)))
            (f64.mul (local.get $s2) (local.get $s2))) (f64.mul (local.get $s3) (local.get $s3))))
          (local.set $o (i32.add (local.get $bounds) (i32.mul (local.get $pos) (i32.const 20))))
          (f32.store (local.get $o) (f32.demote_f64 (local.get $z)))
          (f32.store offset=4 (local.get $o) (f32.demote_f64 (local.get $s1)))
          (f32.store offset=8 (local.get $o) (f32.demote_f64 (local.get $s2)))
          (f32.store offset=12 (local.get $o) (f32.demote_f64 (local.get $s3)))
          ;; still ≥ ρ⊥ after float32 rounding
          (f32.store offset=16 (local.get $o) (f32.demote_f64 (f64.mul
            (f64.sqrt (f64.add (f64.max (local.get $r2) (f64.const 0)) (f64.mul (local.get $rSlack) (local.get $nx))))
            (f64.const 0x1.00001p0))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
      (br $rows))))


  ;; The fine test of the screened engine over kept places [start, end) (src/neuron/screen-rows.ts,
  ;; testPlaces, the same operations in the same order): with v = z_s + a·c (bounds, f32 stride 5),
  ;; places with |v|·(1 − 2^−20) ≤ β ρ⊥ + slack are queued as −1 − k (candidates), places whose
  ;; certified side (v > 0) differs from member[k] as k. Returns the queue's length.
  (func (export "test")
    (param $bounds i32) (param $member i32) (param $pending i32) (param $start i32) (param $end i32)
    (param $a1 f64) (param $a2 f64) (param $a3 f64) (param $beta f64) (param $slack f64) (result i32)
    (local $k i32) (local $o i32) (local $queued i32) (local $v f64)
    (local.set $k (local.get $start))
    (local.set $o (i32.add (local.get $bounds) (i32.mul (local.get $start) (i32.const 20))))
    (block $done (loop $places
      (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
      (local.set $v (f64.add (f64.add (f64.add (f64.promote_f32 (f32.load (local.get $o)))
        (f64.mul (local.get $a1) (f64.promote_f32 (f32.load offset=4 (local.get $o)))))
        (f64.mul (local.get $a2) (f64.promote_f32 (f32.load offset=8 (local.get $o)))))
        (f64.mul (local.get $a3) (f64.promote_f32 (f32.load offset=12 (local.get $o))))))
      (if (f64.le (f64.mul (f64.abs (local.get $v)) (f64.const 0x1.ffffep-1))
                  (f64.add (f64.mul (local.get $beta) (f64.promote_f32 (f32.load offset=16 (local.get $o)))) (local.get $slack)))
        (then
          (i32.store (i32.add (local.get $pending) (i32.shl (local.get $queued) (i32.const 2))) (i32.sub (i32.const -1) (local.get $k)))
          (local.set $queued (i32.add (local.get $queued) (i32.const 1))))
        (else
          (if (i32.ne (f64.gt (local.get $v) (f64.const 0)) (i32.load8_u (i32.add (local.get $member) (local.get $k))))
            (then
              (i32.store (i32.add (local.get $pending) (i32.shl (local.get $queued) (i32.const 2))) (local.get $k))
              (local.set $queued (i32.add (local.get $queued) (i32.const 1)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (local.set $o (i32.add (local.get $o) (i32.const 20)))
      (br $places)))
    (local.get $queued))

  ;; G += sa·x̃_a x̃_aᵀ (+ sb·x̃_b x̃_bᵀ when two ≠ 0) on the upper triangle of `refresh`'s square
  ;; (row j from column j rounded down to even), and the bias column sx += sa·x_a (+ sb·x_b).
  (func $outer
    (param $gram i32) (param $sx i32) (param $ra i32) (param $sa f64) (param $rb i32) (param $sb f64) (param $two i32)
    (param $rowBytes i32) (param $pairs i32) (param $strideBytes i32)
    (local $j i32) (local $k i32) (local $gj i32) (local $aj f64) (local $bj f64) (local $av v128) (local $bv v128)
    (local.set $gj (local.get $gram))
    (block $gdone (loop $grows
      (br_if $gdone (i32.ge_u (local.get $j) (local.get $rowBytes)))
      (local.set $aj (f64.mul (local.get $sa) (f64.load (i32.add (local.get $ra) (local.get $j)))))
      (local.set $k (i32.and (local.get $j) (i32.const -16)))
      (local.set $av (f64x2.splat (local.get $aj)))
      (if (local.get $two)
        (then
          (local.set $bj (f64.mul (local.get $sb) (f64.load (i32.add (local.get $rb) (local.get $j)))))
          (f64.store (i32.add (local.get $sx) (local.get $j))
            (f64.add (f64.load (i32.add (local.get $sx) (local.get $j))) (f64.add (local.get $aj) (local.get $bj))))
          (local.set $bv (f64x2.splat (local.get $bj)))
          (block $cdone (loop $cols
            (br_if $cdone (i32.ge_u (local.get $k) (local.get $pairs)))
            (v128.store (i32.add (local.get $gj) (local.get $k))
              (f64x2.add (v128.load (i32.add (local.get $gj) (local.get $k)))
                (f64x2.add (f64x2.mul (local.get $av) (v128.load (i32.add (local.get $ra) (local.get $k))))
                           (f64x2.mul (local.get $bv) (v128.load (i32.add (local.get $rb) (local.get $k)))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $cols)))
          (if (i32.lt_u (local.get $pairs) (local.get $rowBytes))
            (then (f64.store (i32.add (local.get $gj) (local.get $pairs))
              (f64.add (f64.load (i32.add (local.get $gj) (local.get $pairs)))
                (f64.add (f64.mul (local.get $aj) (f64.load (i32.add (local.get $ra) (local.get $pairs))))
                         (f64.mul (local.get $bj) (f64.load (i32.add (local.get $rb) (local.get $pairs))))))))))
        (else
          (f64.store (i32.add (local.get $sx) (local.get $j)) (f64.add (f64.load (i32.add (local.get $sx) (local.get $j))) (local.get $aj)))
          (block $cdone1 (loop $cols1
            (br_if $cdone1 (i32.ge_u (local.get $k) (local.get $pairs)))
            (v128.store (i32.add (local.get $gj) (local.get $k))
              (f64x2.add (v128.load (i32.add (local.get $gj) (local.get $k)))
                         (f64x2.mul (local.get $av) (v128.load (i32.add (local.get $ra) (local.get $k))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $cols1)))
          (if (i32.lt_u (local.get $pairs) (local.get $rowBytes))
            (then (f64.store (i32.add (local.get $gj) (local.get $pairs))
              (f64.add (f64.load (i32.add (local.get $gj) (local.get $pairs)))
                       (f64.mul (local.get $aj) (f64.load (i32.add (local.get $ra) (local.get $pairs))))))))))
      (local.set $gj (i32.add (local.get $gj) (local.get $strideBytes)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $grows))))
)
