/*
 * PCI configuration space, the legacy way: the address at port 0xcf8, the
 * data at 0xcfc (every PC-compatible machine, q35 included, has it; there
 * is nothing there on microvm, whose reads give all ones). Enough to find
 * devices at boot, read their BARs and capabilities and turn on memory
 * decoding and bus mastering; the firmware (SeaBIOS under q35) assigned
 * the BARs already.
 *
 * Scanning is bounded: every bus number is visited at most once, however
 * the bridges' secondary bus registers point.
 */
#include "pci.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc
#define PCI_CLASS_BRIDGE_PCI 0x0604
#define MAX_CAPS 48 /* a capability list is walked at most this far */

static inline void port_out32(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint32_t port_in32(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void select(struct pci_addr a, uint8_t offset)
{
	port_out32(CONFIG_ADDRESS, 0x80000000u | (uint32_t)a.bus << 16 | (uint32_t)(a.dev & 31) << 11 |
				   (uint32_t)(a.fn & 7) << 8 | (offset & 0xfc));
}

uint32_t pci_read32(struct pci_addr a, uint8_t offset)
{
	select(a, offset);
	return port_in32(CONFIG_DATA);
}

uint16_t pci_read16(struct pci_addr a, uint8_t offset)
{
	return (uint16_t)(pci_read32(a, offset) >> ((offset & 2) * 8));
}

uint8_t pci_read8(struct pci_addr a, uint8_t offset)
{
	return (uint8_t)(pci_read32(a, offset) >> ((offset & 3) * 8));
}

void pci_write16(struct pci_addr a, uint8_t offset, uint16_t value)
{
	uint32_t word = pci_read32(a, offset);
	unsigned shift = (offset & 2) * 8;

	word = (word & ~(0xffffu << shift)) | (uint32_t)value << shift;
	select(a, offset);
	port_out32(CONFIG_DATA, word);
}

bool pci_host_present(void)
{
	return pci_read16((struct pci_addr){ 0, 0, 0 }, PCI_VENDOR_ID) != 0xffff;
}

static void scan_bus(uint8_t bus, uint8_t *seen, void (*found)(struct pci_addr, uint16_t, uint16_t))
{
	if (seen[bus / 8] & (1u << (bus % 8)))
		return;
	seen[bus / 8] |= (uint8_t)(1u << (bus % 8));
	for (uint8_t dev = 0; dev < 32; dev++) {
		for (uint8_t fn = 0; fn < 8; fn++) {
			struct pci_addr a = { bus, dev, fn };
			uint32_t id = pci_read32(a, PCI_VENDOR_ID);
			if ((id & 0xffff) == 0xffff) {
				if (fn == 0)
					break;
				continue;
			}
			found(a, (uint16_t)id, (uint16_t)(id >> 16));
			if ((pci_read32(a, PCI_CLASS_REVISION) >> 16) == PCI_CLASS_BRIDGE_PCI)
				scan_bus(pci_read8(a, PCI_SECONDARY_BUS), seen, found);
			if (fn == 0 && !(pci_read8(a, PCI_HEADER_TYPE) & 0x80))
				break; /* not a multi-function device */
		}
	}
}

void pci_scan(void (*found)(struct pci_addr a, uint16_t vendor, uint16_t device))
{
	uint8_t seen[256 / 8] = { 0 };

	if (pci_host_present())
		scan_bus(0, seen, found);
}

uint64_t pci_bar_address(struct pci_addr a, unsigned bar)
{
	uint32_t lo;

	if (bar > 5)
		return 0;
	lo = pci_read32(a, (uint8_t)(PCI_BAR0 + 4 * bar));
	if (lo & 1)
		return 0; /* an I/O BAR */
	if (((lo >> 1) & 3) == 2 && bar < 5)
		return (lo & ~0xfull) | (uint64_t)pci_read32(a, (uint8_t)(PCI_BAR0 + 4 * (bar + 1))) << 32;
	return lo & ~0xfull;
}

uint8_t pci_find_capability(struct pci_addr a, uint8_t id, uint8_t from)
{
	uint8_t at;

	if (!(pci_read16(a, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	at = from ? pci_read8(a, (uint8_t)(from + 1)) : pci_read8(a, PCI_CAPABILITIES);
	for (int n = 0; n < MAX_CAPS && at >= 0x40; n++) {
		at &= 0xfc;
		if (pci_read8(a, at) == id)
			return at;
		at = pci_read8(a, (uint8_t)(at + 1));
	}
	return 0;
}
