/* limits: the bounds every part of the project shares, defined once. */
#ifndef __LIMITS_H__
#define __LIMITS_H__

/* The largest frame or plane side accepted: 4x 8K, and small enough that
 * a frame's pixel count fits 30 bits (k-means counts pixels in guint) and
 * every row and offset product of the engine stays far below 2^63 with
 * 1024 channels. */
#define MAX_FRAME_SIDE 32768

/* Worker threads of one pool (n-threads of both elements). */
#define MAX_THREADS 64

#endif
