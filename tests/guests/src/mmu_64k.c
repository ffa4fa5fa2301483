/* Stage-1 translation with the 64 KiB granule: identity + high alias, permission and translation faults. */
#include "mmu_granule.h"

int main(void) { return mmu_granule_test(16); }
