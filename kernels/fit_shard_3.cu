// Batched fit kernels for the laws of SF_FOR_EACH_LAW whose index is 3 modulo
// detail::kKernelShards (see cuda_backend.hpp): one of the shards nvcc compiles in parallel.
#define SF_SHARD 3
#include "fit_batch.cuh"

SF_FOR_EACH_LAW(SF_CUDA_INSTANTIATE_SHARD)
