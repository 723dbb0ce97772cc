#pragma once
// One law's registry entry, type-erased. law_entry<Law> is defined in law_entry_impl.hpp and
// instantiated once per law in a translation unit of its own (cmake/law_shards.cmake), so the
// registry itself compiles no solver.
#include "shannonfit/batch.hpp"

namespace shannonfit {

template <class Law>
LawEntry law_entry();

// Throws std::logic_error when a law's separable form names a parameter twice or searches
// outside the parameter's box (defined in registry.cpp).
void check_separable(const LawInfo& info, const SeparableForm& form);

}  // namespace shannonfit
