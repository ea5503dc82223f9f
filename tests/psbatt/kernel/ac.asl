/* An AC adapter for the guest of tests/psbatt/kernel/run.sh: the kernel's
 * ACPI AC driver (ac.ko) makes it a Mains supply in /sys/class/power_supply.
 * _PSR returns a word of guest memory that /init sets with devmem; the page
 * is kept from the kernel by memmap= on the command line (run.sh). */
DefinitionBlock ("", "SSDT", 2, "BATTKT", "ACADAPT", 1)
{
    OperationRegion (BKAC, SystemMemory, 0x1FF00000, 4)
    Field (BKAC, DWordAcc, NoLock, Preserve)
    {
        ONLN, 32
    }

    Scope (\_SB)
    {
        Device (ADP1)
        {
            Name (_HID, "ACPI0003")
            Name (_PCL, Package () { \_SB })
            Method (_STA) { Return (0x0F) }
            Method (_PSR) { Return (ONLN) }
        }
    }
}
