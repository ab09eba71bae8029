#include "CHalfConvert.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define QS_F16C __attribute__((target("avx,f16c")))

int qs_f16c_available(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");
}

// Rounding is fixed in the immediate so a caller's MXCSR setting cannot change the bits;
// _MM_FROUND_NO_EXC keeps the conversion from raising floating-point flags.
#define QS_ROUND (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

QS_F16C static __m256 abs_ps(__m256 v) {
  return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
}

QS_F16C int qs_f16c_encode(const float *source, size_t count, uint16_t *destination) {
  const __m256 infinity = _mm256_set1_ps(__builtin_inff());
  // NaN compares unordered and infinity compares equal: "not less than infinity" catches both.
  __m256 bad = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    __m256 a = _mm256_loadu_ps(source + i), b = _mm256_loadu_ps(source + i + 8);
    bad = _mm256_or_ps(bad, _mm256_cmp_ps(abs_ps(a), infinity, _CMP_NLT_UQ));
    bad = _mm256_or_ps(bad, _mm256_cmp_ps(abs_ps(b), infinity, _CMP_NLT_UQ));
    _mm_storeu_si128((__m128i *)(destination + i), _mm256_cvtps_ph(a, QS_ROUND));
    _mm_storeu_si128((__m128i *)(destination + i + 8), _mm256_cvtps_ph(b, QS_ROUND));
  }
  for (; i < count; i += 8) {
    size_t n = count - i < 8 ? count - i : 8;
    float lane[8] = {0};
    uint16_t half[8];
    memcpy(lane, source + i, n * sizeof(float));
    __m256 a = _mm256_loadu_ps(lane);
    bad = _mm256_or_ps(bad, _mm256_cmp_ps(abs_ps(a), infinity, _CMP_NLT_UQ));
    _mm_storeu_si128((__m128i *)half, _mm256_cvtps_ph(a, QS_ROUND));
    memcpy(destination + i, half, n * sizeof(uint16_t));
  }
  return _mm256_movemask_ps(bad) == 0;
}

// F16C sets the quiet bit of a signalling NaN; numpy, ggml and TensorCore keep the payload as
// it is. Those lanes are rare, so they are found per eight halves and rewritten the exact way.
QS_F16C static void decode8(__m128i h, float *destination) {
  _mm256_storeu_ps(destination, _mm256_cvtph_ps(h));
  __m128i magnitude = _mm_and_si128(h, _mm_set1_epi16(0x7FFF));
  __m128i nan = _mm_cmpgt_epi16(magnitude, _mm_set1_epi16(0x7C00));
  __m128i quiet = _mm_cmpeq_epi16(_mm_and_si128(h, _mm_set1_epi16(0x0200)), _mm_set1_epi16(0x0200));
  if (_mm_movemask_epi8(_mm_andnot_si128(quiet, nan)) == 0) return;
  uint16_t half[8];
  _mm_storeu_si128((__m128i *)half, h);
  for (int k = 0; k < 8; k++) {
    if ((half[k] & 0x7C00) == 0x7C00 && (half[k] & 0x03FF) != 0) {
      uint32_t bits = ((uint32_t)(half[k] & 0x8000) << 16) | 0x7F800000u | ((uint32_t)(half[k] & 0x03FF) << 13);
      memcpy(destination + k, &bits, sizeof bits);
    }
  }
}

QS_F16C void qs_f16c_decode(const void *source, size_t count, float *destination) {
  const unsigned char *bytes = (const unsigned char *)source;
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    decode8(_mm_loadu_si128((const __m128i *)(bytes + 2 * i)), destination + i);
  }
  if (i < count) {
    size_t n = count - i;
    uint16_t half[8] = {0};
    float lane[8];
    memcpy(half, bytes + 2 * i, n * sizeof(uint16_t));
    decode8(_mm_loadu_si128((const __m128i *)half), lane);
    memcpy(destination + i, lane, n * sizeof(float));
  }
}

QS_F16C void qs_f16c_round_trip(const float *source, size_t count, float *destination) {
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    __m256 a = _mm256_loadu_ps(source + i);
    _mm256_storeu_ps(destination + i, _mm256_cvtph_ps(_mm256_cvtps_ph(a, QS_ROUND)));
  }
  if (i < count) {
    size_t n = count - i;
    float lane[8] = {0};
    memcpy(lane, source + i, n * sizeof(float));
    __m256 a = _mm256_loadu_ps(lane);
    _mm256_storeu_ps(lane, _mm256_cvtph_ps(_mm256_cvtps_ph(a, QS_ROUND)));
    memcpy(destination + i, lane, n * sizeof(float));
  }
}

#else

// Other architectures use the portable Swift conversions.
int qs_f16c_available(void) { return 0; }
int qs_f16c_encode(const float *source, size_t count, uint16_t *destination) {
  (void)source; (void)count; (void)destination;
  return 0;
}
void qs_f16c_decode(const void *source, size_t count, float *destination) {
  (void)source; (void)count; (void)destination;
}
void qs_f16c_round_trip(const float *source, size_t count, float *destination) {
  (void)source; (void)count; (void)destination;
}

#endif
