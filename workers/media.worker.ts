/// <reference lib="webworker" />
import { MediaService } from '../src/media/media-service';
import { exposeMediaService } from './media-service-host';

exposeMediaService(new MediaService());
