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
      (br $add)))))
