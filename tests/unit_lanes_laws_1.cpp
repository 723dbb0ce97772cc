// The lane suite (unit_lanes_laws.hpp) on the laws at odd positions of SF_FOR_EACH_LAW;
// unit_lanes_laws_0.cpp has the others.
#include "unit_lanes_laws.hpp"

namespace shannonfit::lanes_test {

INSTANTIATE_TYPED_TEST_SUITE_P(Lanes, LawOnLanes, LaneLaws<1>);

}  // namespace shannonfit::lanes_test
