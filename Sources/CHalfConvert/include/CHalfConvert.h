// Hardware binary16 conversion (x86 F16C), chosen at run time.
//
// Swift cannot enable a CPU feature for one function, and without F16C in the target a Float16
// conversion becomes a library call per element. These functions are compiled for F16C+AVX and
// called only after qs_f16c_available() said the CPU has them; the portable Swift code in
// QuantEngine/TensorCore stays the reference and the fallback.
#ifndef CHALFCONVERT_H
#define CHALFCONVERT_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU converts binary16 in hardware (x86-64 with AVX and F16C), else 0.
int qs_f16c_available(void);

/// float32 → binary16 bits, round to nearest even (the F16C immediate, so MXCSR does not
/// matter), subnormals kept. Returns 0 when a NaN or an infinity was met (the caller then
/// refuses the input), else 1. Call only when qs_f16c_available() returned 1.
int qs_f16c_encode(const float *source, size_t count, uint16_t *destination);

/// binary16 bits (little-endian, any alignment) → float32, exact. Call only when
/// qs_f16c_available() returned 1.
void qs_f16c_decode(const void *source, size_t count, float *destination);

/// The float32 a reader gets back after storing each value as binary16 (finite input). Call
/// only when qs_f16c_available() returned 1.
void qs_f16c_round_trip(const float *source, size_t count, float *destination);

#endif
