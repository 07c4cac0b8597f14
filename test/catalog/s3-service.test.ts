import { testCatalogTemplate } from "./template";

testCatalogTemplate("s3-service");
