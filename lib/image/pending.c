/* Loaders and writers not landed yet (this file goes away as each one lands). */
#include "image/image_int.h"

int img_load_ihex(img_builder *b, fk_image *img, const uint8_t *buf, size_t len)
{
	(void)img, (void)buf, (void)len;
	return fk_fail(b->ctx, FK_E_UNSUPPORTED, "%s: Intel HEX loading is not built yet", b->name);
}
int img_load_srec(img_builder *b, fk_image *img, const uint8_t *buf, size_t len)
{
	(void)img, (void)buf, (void)len;
	return fk_fail(b->ctx, FK_E_UNSUPPORTED, "%s: S-record loading is not built yet", b->name);
}
int img_load_elf(img_builder *b, fk_image *img, const uint8_t *buf, size_t len)
{
	(void)img, (void)buf, (void)len;
	return fk_fail(b->ctx, FK_E_UNSUPPORTED, "%s: ELF loading is not built yet", b->name);
}
int fk_image_save(fk_ctx *ctx, const fk_image *img, const char *path, fk_image_format format)
{
	(void)img, (void)format;
	return fk_fail(ctx, FK_E_UNSUPPORTED, "writing %s: image writing is not built yet", path);
}
int fk_image_save_mem(fk_ctx *ctx, const fk_image *img, fk_image_format format, uint8_t **buf,
		      size_t *len)
{
	(void)img, (void)format, (void)buf, (void)len;
	return fk_fail(ctx, FK_E_UNSUPPORTED, "image writing is not built yet");
}
int fk_image_fill_gaps(fk_ctx *ctx, fk_image *img, uint8_t fill)
{
	(void)img, (void)fill;
	return fk_fail(ctx, FK_E_UNSUPPORTED, "filling image gaps is not built yet");
}
int fk_image_pad(fk_ctx *ctx, fk_image *img, uint32_t align, uint8_t fill)
{
	(void)img, (void)fill, (void)align;
	return fk_fail(ctx, FK_E_UNSUPPORTED, "padding images is not built yet");
}
