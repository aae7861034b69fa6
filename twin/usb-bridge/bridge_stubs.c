/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/usb-bridge: the rest of libusb-1.0's (1.0.26) and hidapi's exported functions, so that a
 * program finds every symbol it links against. None of them is needed by the emulated probes
 * (streams, isochronous, BOS/SuperSpeed descriptors, pollfds, wrapped system devices); each says
 * so on stderr, naming itself, and fails as the documentation allows: LIBUSB_ERROR_NOT_SUPPORTED,
 * NULL, or nothing for the void ones. Gaps are found, not hidden. */
#include <hidapi/hidapi.h>
#include <hidapi/hidapi_libusb.h>
#include <stdint.h>

#include "bridge.h"

int LIBUSB_CALL libusb_alloc_streams(libusb_device_handle *dev_handle, uint32_t num_streams,
				     unsigned char *endpoints, int num_endpoints)
{
	(void)dev_handle, (void)num_streams, (void)endpoints, (void)num_endpoints;
	twb_unsupported("libusb_alloc_streams");
	return LIBUSB_ERROR_NOT_SUPPORTED;
}

int LIBUSB_CALL libusb_free_streams(libusb_device_handle *dev_handle, unsigned char *endpoints,
				    int num_endpoints)
{
	(void)dev_handle, (void)endpoints, (void)num_endpoints;
	twb_unsupported("libusb_free_streams");
	return LIBUSB_ERROR_NOT_SUPPORTED;
}

unsigned char *LIBUSB_CALL libusb_dev_mem_alloc(libusb_device_handle *dev_handle, size_t length)
{
	(void)dev_handle, (void)length;
	twb_unsupported("libusb_dev_mem_alloc");
	return NULL;
}

int LIBUSB_CALL libusb_dev_mem_free(libusb_device_handle *dev_handle, unsigned char *buffer,
				    size_t length)
{
	(void)dev_handle, (void)buffer, (void)length;
	twb_unsupported("libusb_dev_mem_free");
	return LIBUSB_ERROR_NOT_SUPPORTED;
}

int LIBUSB_CALL libusb_get_ss_endpoint_companion_descriptor(
	libusb_context *ctx, const struct libusb_endpoint_descriptor *endpoint,
	struct libusb_ss_endpoint_companion_descriptor **ep_comp)
{
	(void)ctx, (void)endpoint, (void)ep_comp;
	twb_unsupported("libusb_get_ss_endpoint_companion_descriptor");
	return LIBUSB_ERROR_NOT_SUPPORTED;
}

void LIBUSB_CALL libusb_free_ss_endpoint_companion_descriptor(
	struct libusb_ss_endpoint_companion_descriptor *ep_comp)
{
	(void)ep_comp;
	twb_unsupported("libusb_free_ss_endpoint_companion_descriptor");
}

int LIBUSB_CALL libusb_get_bos_descriptor(libusb_device_handle *dev_handle,
					  struct libusb_bos_descriptor **bos)
{
	(void)dev_handle, (void)bos;
	twb_unsupported("libusb_get_bos_descriptor");
	return LIBUSB_ERROR_NOT_SUPPORTED;
}

void LIBUSB_CALL libusb_free_bos_descriptor(struct libusb_bos_descriptor *bos)
{
	(void)bos;
	twb_unsupported("libusb_free_bos_descriptor");
}

int LIBUSB_CALL libusb_get_usb_2_0_extension_descriptor(
	libusb_context *ctx, struct libusb_bos_dev_capability_descriptor *dev_cap,
	struct libusb_usb_2_0_extension_descriptor **usb_2_0_extension)
{
	(void)ctx, (void)dev_cap, (void)usb_2_0_extension;
	twb_unsupported("libusb_get_usb_2_0_extension_descriptor");
	return LIBUSB_ERROR_NOT_SUPPORTED;
}

void LIBUSB_CALL libusb_free_usb_2_0_extension_descriptor(
	struct libusb_usb_2_0_extension_descriptor *usb_2_0_extension)
{
	(void)usb_2_0_extension;
	twb_unsupported("libusb_free_usb_2_0_extension_descriptor");
}

int LIBUSB_CALL libusb_get_ss_usb_device_capability_descriptor(
	libusb_context *ctx, struct libusb_bos_dev_capability_descriptor *dev_cap,
	struct libusb_ss_usb_device_capability_descriptor **ss_usb_device_cap)
{
	(void)ctx, (void)dev_cap, (void)ss_usb_device_cap;
	twb_unsupported("libusb_get_ss_usb_device_capability_descriptor");
	return LIBUSB_ERROR_NOT_SUPPORTED;
}

void LIBUSB_CALL libusb_free_ss_usb_device_capability_descriptor(
	struct libusb_ss_usb_device_capability_descriptor *ss_usb_device_cap)
{
	(void)ss_usb_device_cap;
	twb_unsupported("libusb_free_ss_usb_device_capability_descriptor");
}

int LIBUSB_CALL libusb_get_container_id_descriptor(
	libusb_context *ctx, struct libusb_bos_dev_capability_descriptor *dev_cap,
	struct libusb_container_id_descriptor **container_id)
{
	(void)ctx, (void)dev_cap, (void)container_id;
	twb_unsupported("libusb_get_container_id_descriptor");
	return LIBUSB_ERROR_NOT_SUPPORTED;
}

void LIBUSB_CALL libusb_free_container_id_descriptor(
	struct libusb_container_id_descriptor *container_id)
{
	(void)container_id;
	twb_unsupported("libusb_free_container_id_descriptor");
}

int LIBUSB_CALL libusb_get_max_iso_packet_size(libusb_device *dev, unsigned char endpoint)
{
	(void)dev, (void)endpoint;
	twb_unsupported("libusb_get_max_iso_packet_size");
	return LIBUSB_ERROR_NOT_SUPPORTED;
}

int LIBUSB_CALL libusb_wrap_sys_device(libusb_context *ctx, intptr_t sys_dev,
				       libusb_device_handle **dev_handle)
{
	(void)ctx, (void)sys_dev, (void)dev_handle;
	twb_unsupported("libusb_wrap_sys_device");
	return LIBUSB_ERROR_NOT_SUPPORTED;
}

void LIBUSB_CALL libusb_transfer_set_stream_id(struct libusb_transfer *transfer,
					       uint32_t stream_id)
{
	(void)transfer, (void)stream_id;
	twb_unsupported("libusb_transfer_set_stream_id");
}

uint32_t LIBUSB_CALL libusb_transfer_get_stream_id(struct libusb_transfer *transfer)
{
	(void)transfer;
	twb_unsupported("libusb_transfer_get_stream_id");
	return 0;
}

const struct libusb_pollfd **LIBUSB_CALL libusb_get_pollfds(libusb_context *ctx)
{
	(void)ctx;
	twb_unsupported("libusb_get_pollfds");
	return NULL;
}

void LIBUSB_CALL libusb_free_pollfds(const struct libusb_pollfd **pollfds)
{
	(void)pollfds;
}

void LIBUSB_CALL libusb_set_pollfd_notifiers(libusb_context *ctx, libusb_pollfd_added_cb added_cb,
					     libusb_pollfd_removed_cb removed_cb, void *user_data)
{
	(void)ctx, (void)added_cb, (void)removed_cb, (void)user_data;
	twb_unsupported("libusb_set_pollfd_notifiers");
}

hid_device *HID_API_EXPORT HID_API_CALL hid_libusb_wrap_sys_device(intptr_t sys_dev,
								  int interface_num)
{
	(void)sys_dev, (void)interface_num;
	twb_unsupported("hid_libusb_wrap_sys_device");
	return NULL;
}
