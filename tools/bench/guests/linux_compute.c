/*
 * An integer benchmark run as a Linux user program inside the guest
 * (tools/bench/main.ts "linux-compute"): ROUNDS times, fill an array from an
 * xorshift64 generator, Shell-sort it, and fold it into a bitwise CRC-32.
 * Prints one line with the checksum, which the benchmark compares with the
 * same program built for the host.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define N 4096

static uint32_t values[N];
static uint64_t state = 88172645463325252ull;

static uint64_t next(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

static void shell_sort(uint32_t *v, int n) {
  static const int gaps[] = {1750, 701, 301, 132, 57, 23, 10, 4, 1};
  for (unsigned g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
    int gap = gaps[g];
    for (int i = gap; i < n; i++) {
      uint32_t t = v[i];
      int j = i;
      for (; j >= gap && v[j - gap] > t; j -= gap) v[j] = v[j - gap];
      v[j] = t;
    }
  }
}

static uint32_t crc32_update(uint32_t crc, uint32_t word) {
  for (int b = 0; b < 4; b++) {
    crc ^= (word >> (8 * b)) & 0xff;
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
  }
  return crc;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 10;
  uint32_t crc = 0xffffffffu;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < N; i++) values[i] = (uint32_t)(next() >> 16);
    shell_sort(values, N);
    for (int i = 1; i < N; i++) {
      if (values[i - 1] > values[i]) {
        printf("gunyah-bench: compute-error unsorted at round %d\n", r);
        return 1;
      }
    }
    for (int i = 0; i < N; i++) crc = crc32_update(crc, values[i]);
  }
  printf("gunyah-bench: compute-end rounds=%d checksum=%08x\n", rounds, ~crc);
  return 0;
}
