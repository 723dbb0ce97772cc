// The lane suite (unit_lanes_laws.hpp) on the laws at even positions of SF_FOR_EACH_LAW;
// unit_lanes_laws_1.cpp has the others.
#include "unit_lanes_laws.hpp"

namespace shannonfit::lanes_test {

INSTANTIATE_TYPED_TEST_SUITE_P(Lanes, LawOnLanes, LaneLaws<0>);

}  // namespace shannonfit::lanes_test
