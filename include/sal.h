/* SAL annotations: accepted and ignored, so driver code written with them
 * compiles unchanged. battkit checks IRQL at run time instead (see ke). */
#ifndef BATTKIT_SAL_H
#define BATTKIT_SAL_H

#define _In_
#define _In_opt_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _In_z_
#define _In_opt_z_
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Reserved_
#define _In_reads_(n)
#define _In_reads_opt_(n)
#define _In_reads_bytes_(n)
#define _In_reads_bytes_opt_(n)
#define _Out_writes_(n)
#define _Out_writes_opt_(n)
#define _Out_writes_bytes_(n)
#define _Out_writes_bytes_opt_(n)
#define _Out_writes_bytes_to_(n, m)
#define _Out_writes_bytes_to_opt_(n, m)
#define _Out_writes_bytes_all_(n)
#define _Out_writes_z_(n)
#define _Inout_updates_(n)
#define _Inout_updates_bytes_(n)
#define _Field_size_(n)
#define _Field_size_bytes_(n)
#define _Field_size_bytes_part_(n, m)
#define _Field_range_(a, b)
#define _Field_z_
#define _Post_
#define _Pre_
#define _Post_invalid_
#define _Post_satisfies_(x)
#define _Pre_satisfies_(x)
#define _Success_(x)
#define _Check_return_
#define _Must_inspect_result_
#define _Ret_maybenull_
#define _Ret_range_(a, b)
#define _Return_type_success_(x)
#define _Use_decl_annotations_
#define _When_(c, a)
#define _At_(t, a)
#define _Analysis_assume_(x)
#define _Function_class_(x)
#define _Dispatch_type_(x)
#define _IRQL_requires_(x)
#define _IRQL_requires_max_(x)
#define _IRQL_requires_min_(x)
#define _IRQL_requires_same_
#define _IRQL_raises_(x)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(k, s)
#define _IRQL_restores_global_(k, s)
#define _IRQL_always_function_max_(x)
#define _IRQL_always_function_min_(x)
#define _Requires_lock_held_(x)
#define _Requires_lock_not_held_(x)
#define _Acquires_lock_(x)
#define _Releases_lock_(x)
#define _Acquires_exclusive_lock_(x)
#define _Releases_exclusive_lock_(x)
#define _Kernel_requires_resource_held_(x)
#define _Kernel_clear_do_init_(x)
#define _Kernel_float_saved_
#define _Kernel_float_restored_
#define _Kernel_requires_resource_not_held_(x)
#define _Kernel_acquires_resource_(x)
#define _Kernel_releases_resource_(x)
#define _Notliteral_
#define _Literal_
#define _Strict_type_match_
#define _Points_to_data_
#define _Interlocked_operand_
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _Post_writable_byte_size_(n)
#define _Post_maybenull_
#define _Null_terminated_
#define _NullNull_terminated_
#define _Maybenull_
#define _Printf_format_string_
#define __drv_aliasesMem
#define __drv_allocatesMem(x)
#define __drv_freesMem(x)
#define __drv_strictTypeMatch(x)
#define __drv_dispatchType(x)
#define __drv_when(c, a)
#define __drv_requiresIRQL(x)
#define __drv_maxIRQL(x)
#define __drv_sameIRQL
#define __drv_functionClass(x)
#define __drv_reportError(x)

#endif
