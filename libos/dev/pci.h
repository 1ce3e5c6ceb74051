/* PCI configuration space through the legacy ports 0xcf8/0xcfc (pci.c). */
#ifndef LIBOS_DEV_PCI_H
#define LIBOS_DEV_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_VENDOR_ID 0x00
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CLASS_REVISION 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_CAPABILITIES 0x34
#define PCI_SECONDARY_BUS 0x19
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_ID_VENDOR 0x09

struct pci_addr {
	uint8_t bus, dev, fn;
};

uint32_t pci_read32(struct pci_addr a, uint8_t offset);
uint16_t pci_read16(struct pci_addr a, uint8_t offset);
uint8_t pci_read8(struct pci_addr a, uint8_t offset);
void pci_write16(struct pci_addr a, uint8_t offset, uint16_t value);
bool pci_host_present(void);
/* Calls found() for every function present, buses behind bridges included (bounded). */
void pci_scan(void (*found)(struct pci_addr a, uint16_t vendor, uint16_t device));
/* A memory BAR's address (64-bit BARs whole); 0 when it is not a memory BAR or not assigned. */
uint64_t pci_bar_address(struct pci_addr a, unsigned bar);
/* The offset of the next capability of type id after `from` (0: the first); 0 when none. */
uint8_t pci_find_capability(struct pci_addr a, uint8_t id, uint8_t from);

#endif
