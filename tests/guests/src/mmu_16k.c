/* Stage-1 translation with the 16 KiB granule: identity + high alias, permission and translation faults. */
/* @guest qemu-cpu=max */
#include "mmu_granule.h"

int main(void) { return mmu_granule_test(14); }
