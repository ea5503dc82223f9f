#include "test_util.h"
TEST(placeholder_until_written)
{
    CHECK(1);
}
