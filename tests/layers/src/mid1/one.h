#include "mid2/two.h"
#include "low/base.h"
