#include "exrqoi/exrqoi.h"
