/* The one symbol gocker-image.so exports to the runtime (see imagemod.h). */
#include "runtime/imagemod.h"
#include "runtime/load.h"

const struct rt_image_module rt_image_module = {
    .abi = RT_IMAGE_MODULE_ABI,
    .pull = rt_registry_pull,
    .load_archive = rt_archive_load,
};
