# Row kernels of kmeansseg. Each function has a plain C twin named
# km_ref_<op>_<dtype> in kmeans/kernels.c, and tests/lib/kmeans/test_kernels.c
# compares the two on random data at odd lengths. Every function keeps to
# 8 arrays at most (ORC 0.4.33 corrupts a register beyond that).

# Packed 32-bit pixel -> three float channels; s0..s2 are the bit shifts
# of the channels inside the little-endian word.
.function km_orc_unpack4_f32
.dest 4 d0 float
.dest 4 d1 float
.dest 4 d2 float
.source 4 s uint32_t
.param 4 s0
.param 4 s1
.param 4 s2
.temp 4 t

shrul t, s, s0
andl t, t, 255
convlf d0, t
shrul t, s, s1
andl t, t, 255
convlf d1, t
shrul t, s, s2
andl t, t, 255
convlf d2, t

.function km_orc_u8_to_f32
.dest 4 d float
.source 1 s uint8_t
.temp 2 w
.temp 4 l

convubw w, s
convuwl l, w
convlf d, l

# One chroma sample -> two horizontally adjacent float values.
.function km_orc_u8_to_f32_dup2
.dest 8 d float
.source 1 s uint8_t
.temp 2 w
.temp 4 l
.temp 4 f

convubw w, s
convuwl l, w
convlf f, l
mergelq d, f, f

# Interleaved chroma pair (first byte -> du, second -> dv), each
# duplicated to two pixels.
.function km_orc_uv_to_f32_dup2
.dest 8 du float
.dest 8 dv float
.source 2 s uint16_t
.temp 1 b
.temp 2 w
.temp 4 l
.temp 4 f

select0wb b, s
convubw w, b
convuwl l, w
convlf f, l
mergelq du, f, f
select1wb b, s
convubw w, b
convuwl l, w
convlf f, l
mergelq dv, f, f

# Packed 4:2:2 macropixel (two pixels) -> two luma floats and the shared
# chroma twice. sy0, sy1, su, sv are bit shifts inside the word.
.function km_orc_yuv422_to_f32
.dest 8 dy float
.dest 8 du float
.dest 8 dv float
.source 4 s uint32_t
.param 4 sy0
.param 4 sy1
.param 4 su
.param 4 sv
.temp 4 t
.temp 4 a
.temp 4 b

shrul t, s, sy0
andl t, t, 255
convlf a, t
shrul t, s, sy1
andl t, t, 255
convlf b, t
mergelq dy, a, b
shrul t, s, su
andl t, t, 255
convlf a, t
mergelq du, a, a
shrul t, s, sv
andl t, t, 255
convlf a, t
mergelq dv, a, a

# One centroid step of the nearest-centroid search over three features:
# dist = w0*f0 + w1*f1 + w2*f2 + b (the squared distance less |x|^2);
# where it beats the best so far, take it and the centroid id j.
.function km_orc_argmin3_f32
.dest 4 dbest float
.dest 4 dlab int32_t
.source 4 sbest float
.source 4 slab int32_t
.source 4 f0 float
.source 4 f1 float
.source 4 f2 float
.floatparam 4 w0
.floatparam 4 w1
.floatparam 4 w2
.floatparam 4 b
.param 4 j
.temp 4 d
.temp 4 t
.temp 4 m

mulf d, f0, w0
mulf t, f1, w1
addf d, d, t
mulf t, f2, w2
addf d, d, t
addf d, d, b
cmpltf m, d, sbest
minf dbest, d, sbest
andnl t, m, slab
andl m, m, j
orl dlab, t, m

.function km_orc_argmin4_f32
.dest 4 dbest float
.dest 4 dlab int32_t
.source 4 sbest float
.source 4 slab int32_t
.source 4 f0 float
.source 4 f1 float
.source 4 f2 float
.source 4 f3 float
.floatparam 4 w0
.floatparam 4 w1
.floatparam 4 w2
.floatparam 4 w3
.floatparam 4 b
.param 4 j
.temp 4 d
.temp 4 t
.temp 4 m

mulf d, f0, w0
mulf t, f1, w1
addf d, d, t
mulf t, f2, w2
addf d, d, t
mulf t, f3, w3
addf d, d, t
addf d, d, b
cmpltf m, d, sbest
minf dbest, d, sbest
andnl t, m, slab
andl m, m, j
orl dlab, t, m

# Five-feature distance (spatial clustering of colour plus x, y), split
# from the selection to stay within 8 arrays.
.function km_orc_dot5_f32
.dest 4 d float
.source 4 f0 float
.source 4 f1 float
.source 4 f2 float
.source 4 f3 float
.source 4 f4 float
.floatparam 4 w0
.floatparam 4 w1
.floatparam 4 w2
.floatparam 4 w3
.floatparam 4 w4
.floatparam 4 b
.temp 4 t
.temp 4 u

mulf t, f0, w0
mulf u, f1, w1
addf t, t, u
mulf u, f2, w2
addf t, t, u
mulf u, f3, w3
addf t, t, u
mulf u, f4, w4
addf t, t, u
addf d, t, b

.function km_orc_minsel_f32
.dest 4 dbest float
.dest 4 dlab int32_t
.source 4 sbest float
.source 4 slab int32_t
.source 4 d float
.param 4 j
.temp 4 t
.temp 4 m

cmpltf m, d, sbest
minf dbest, d, sbest
andnl t, m, slab
andl m, m, j
orl dlab, t, m

.function km_orc_s32_to_u8
.dest 1 d uint8_t
.source 4 s int32_t
.temp 2 w

convlw w, s
convwb d, w

# Output pixel from the palette word, keeping the bits of `keep` (alpha or
# padding byte) from the input pixel.
.function km_orc_merge_u32
.dest 4 d uint32_t
.source 4 pal uint32_t
.source 4 src uint32_t
.param 4 keep
.temp 4 a
.temp 4 b

andl b, src, keep
andnl a, keep, pal
orl d, a, b

# 2x2 box average of two rows of u8 (4:2:0 chroma), rounded.
.function km_orc_avg2x2_u8
.dest 1 d uint8_t
.source 2 a uint16_t
.source 2 b uint16_t
.temp 1 t
.temp 2 s
.temp 2 u

select0wb t, a
convubw s, t
select1wb t, a
convubw u, t
addw s, s, u
select0wb t, b
convubw u, t
addw s, s, u
select1wb t, b
convubw u, t
addw s, s, u
addw s, s, 2
shruw s, s, 2
convwb d, s

# Horizontal pair average (4:2:2 chroma), rounded.
.function km_orc_avg2_u8
.dest 1 d uint8_t
.source 2 a uint16_t
.temp 1 x
.temp 1 y

select0wb x, a
select1wb y, a
avgub d, x, y

# Two u8 rows interleaved into pairs (semi-planar chroma).
.function km_orc_interleave_u8
.dest 2 d uint16_t
.source 1 a uint8_t
.source 1 b uint8_t

mergebw d, a, b

# Packed 4:2:2 macropixel from luma pairs and one chroma pair; sy0..sv
# place each byte (bit shifts) inside the little-endian word.
.function km_orc_pack_yuv422_u8
.dest 4 d uint32_t
.source 2 y uint16_t
.source 1 u uint8_t
.source 1 v uint8_t
.param 4 sy0
.param 4 sy1
.param 4 su
.param 4 sv
.temp 1 b
.temp 2 w
.temp 4 t
.temp 4 acc

select0wb b, y
convubw w, b
convuwl t, w
shll acc, t, sy0
select1wb b, y
convubw w, b
convuwl t, w
shll t, t, sy1
orl acc, acc, t
convubw w, u
convuwl t, w
shll t, t, su
orl acc, acc, t
convubw w, v
convuwl t, w
shll t, t, sv
orl d, acc, t
