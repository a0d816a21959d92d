// SPDX-License-Identifier: GPL-2.0
/*
 * gh_mdev: a test-only mediated-device parent for guesthook's real-kernel test bed.
 *
 * It binds QEMU's pci-testdev (1b36:0005) and registers it as an mdev parent, so mediated devices
 * hang under a real PCI function at exactly the paths guesthook uses on GVT-g and NVIDIA hosts:
 *   /sys/bus/pci/devices/<bdf>/mdev_supported_types/gh_mdev-<n>/{create,available_instances,...}
 * Its three types draw on one pool of 8 units per parent (type n costs n units), the way GVT-g and
 * vGPU types share one GPU's resources: creating a gh_mdev-2 lowers every type's available_instances.
 * An exhausted pool answers ENOSPC. Each mdev is a vfio device with an emulated IOMMU, so it gets
 * its own iommu_group as a real vGPU does. It has no regions: nothing can use it, only manage it.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/mdev.h>
#include <linux/vfio.h>

#define GH_POOL_UNITS 8
#define GH_TYPES 3

struct gh_type {
	struct mdev_type type;
	unsigned int cost;
};

struct gh_parent {
	struct mdev_parent parent;
	struct gh_type types[GH_TYPES];
	struct mdev_type *type_list[GH_TYPES];
	atomic_t free_units;
};

struct gh_state {
	struct vfio_device vdev;
	struct gh_parent *owner;
	unsigned int cost;
};

static const char *const gh_type_names[GH_TYPES] = { "1", "2", "4" };
static const char *const gh_pretty_names[GH_TYPES] = { "GH-1", "GH-2", "GH-4" };
static const struct vfio_device_ops gh_vfio_ops;

static struct gh_parent *gh_parent_of(struct mdev_type *mtype)
{
	return container_of(mtype->parent, struct gh_parent, parent);
}

static unsigned int gh_cost_of(struct mdev_type *mtype)
{
	return container_of(mtype, struct gh_type, type)->cost;
}

/* Takes the type's units from the pool; ENOSPC when they are not there, as GVT-g answers. */
static int gh_init_dev(struct vfio_device *vdev)
{
	struct gh_state *state = container_of(vdev, struct gh_state, vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	struct gh_parent *owner = gh_parent_of(mdev->type);
	unsigned int cost = gh_cost_of(mdev->type);
	int free = atomic_read(&owner->free_units);

	do {
		if (free < cost)
			return -ENOSPC;
	} while (!atomic_try_cmpxchg(&owner->free_units, &free, free - cost));
	state->owner = owner;
	state->cost = cost;
	return 0;
}

static void gh_release_dev(struct vfio_device *vdev)
{
	struct gh_state *state = container_of(vdev, struct gh_state, vdev);

	atomic_add(state->cost, &state->owner->free_units);
	vfio_free_device(vdev);
}

static const struct vfio_device_ops gh_vfio_ops = {
	.name = "gh-mdev",
	.init = gh_init_dev,
	.release = gh_release_dev,
};

static int gh_mdev_probe(struct mdev_device *mdev)
{
	struct gh_state *state;
	int ret;

	state = vfio_alloc_device(gh_state, vdev, &mdev->dev, &gh_vfio_ops);
	if (IS_ERR(state))
		return PTR_ERR(state);
	ret = vfio_register_emulated_iommu_dev(&state->vdev);
	if (ret) {
		vfio_put_device(&state->vdev);
		return ret;
	}
	dev_set_drvdata(&mdev->dev, state);
	return 0;
}

static void gh_mdev_remove(struct mdev_device *mdev)
{
	struct gh_state *state = dev_get_drvdata(&mdev->dev);

	vfio_unregister_group_dev(&state->vdev);
	vfio_put_device(&state->vdev);
}

static unsigned int gh_get_available(struct mdev_type *mtype)
{
	return atomic_read(&gh_parent_of(mtype)->free_units) / gh_cost_of(mtype);
}

static ssize_t gh_show_description(struct mdev_type *mtype, char *buf)
{
	return sysfs_emit(buf, "%u of %u units\n", gh_cost_of(mtype), GH_POOL_UNITS);
}

static struct mdev_driver gh_mdev_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = "gh_mdev",
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
	},
	.probe = gh_mdev_probe,
	.remove = gh_mdev_remove,
	.get_available = gh_get_available,
	.show_description = gh_show_description,
};

/*
 * The parent and its types are allocated per bound device, not static: the mdev core initialises
 * their kobjects on every registration, so a rebind (unbind, then probe again) needs fresh ones.
 */
static int gh_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct gh_parent *p;
	int i, ret;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	atomic_set(&p->free_units, GH_POOL_UNITS);
	for (i = 0; i < GH_TYPES; i++) {
		p->types[i].type.sysfs_name = gh_type_names[i];
		p->types[i].type.pretty_name = gh_pretty_names[i];
		p->types[i].cost = 1u << i;
		p->type_list[i] = &p->types[i].type;
	}
	ret = mdev_register_parent(&p->parent, &pdev->dev, &gh_mdev_driver, p->type_list, GH_TYPES);
	if (ret) {
		kfree(p);
		return ret;
	}
	pci_set_drvdata(pdev, p);
	return 0;
}

/* Unregistering removes every mdev of the parent first, as the kernel does for a real GPU. */
static void gh_pci_remove(struct pci_dev *pdev)
{
	struct gh_parent *p = pci_get_drvdata(pdev);

	mdev_unregister_parent(&p->parent);
	kfree(p);
}

static const struct pci_device_id gh_pci_ids[] = {
	{ PCI_DEVICE(0x1b36, 0x0005) }, /* QEMU pci-testdev */
	{ }
};
MODULE_DEVICE_TABLE(pci, gh_pci_ids);

static struct pci_driver gh_pci_driver = {
	.name = "gh_mdev",
	.id_table = gh_pci_ids,
	.probe = gh_pci_probe,
	.remove = gh_pci_remove,
};

static int __init gh_init(void)
{
	int ret = mdev_register_driver(&gh_mdev_driver);

	if (ret)
		return ret;
	ret = pci_register_driver(&gh_pci_driver);
	if (ret)
		mdev_unregister_driver(&gh_mdev_driver);
	return ret;
}

static void __exit gh_exit(void)
{
	pci_unregister_driver(&gh_pci_driver);
	mdev_unregister_driver(&gh_mdev_driver);
}

module_init(gh_init);
module_exit(gh_exit);
MODULE_LICENSE("GPL v2");
MODULE_DESCRIPTION("guesthook test bed: an mdev parent on QEMU's pci-testdev");
