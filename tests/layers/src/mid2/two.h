#include "mid1/one.h"
