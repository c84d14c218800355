#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/imgutils.h>
#include <libavutil/error.h>
#include <libavutil/log.h>

// Function-like macros are not imported into Swift.
static inline int image2text_AVERROR(int code) { return AVERROR(code); }
static inline int image2text_AVERROR_EOF(void) { return AVERROR_EOF; }
